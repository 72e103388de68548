import { z } from 'zod';
import type { OptionSpec } from './command.ts';
import { numberFlag } from './flags.ts';

/** The input filter flags `zipp encoder ingest` and `zipp encoder train` share (options + schema fields). */
export const FILTER_OPTIONS: Record<string, OptionSpec> = {
  'max-error-rate': { type: 'string', placeholder: 'R', description: 'tolerated share of malformed records per input (default 0.01)' },
  'keep-bots': { type: 'boolean', description: 'keep bot / AutoModerator / [deleted] authors' },
  'keep-nsfw': { type: 'boolean', description: 'keep NSFW communities' },
  'reddit-names': { type: 'boolean', description: "drop communities whose names break Reddit's rule (letters, digits, _ . -) in every input; by default only Reddit inputs (exports, dumps, a subreddit column) are checked" },
};

export const filterFlags = {
  maxErrorRate: numberFlag(0, true)
    .refine((x) => x <= 1, 'must be at most 1')
    .optional(),
  keepBots: z.boolean().optional(),
  keepNsfw: z.boolean().optional(),
  redditNames: z.boolean().optional(),
};
