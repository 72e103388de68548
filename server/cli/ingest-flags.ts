import { z } from 'zod';
import type { OptionSpec } from './command.ts';
import { numberFlag } from './flags.ts';

/** The input filter flags `zipp encoder ingest` and `zipp encoder train` share (options + schema fields). */
export const FILTER_OPTIONS: Record<string, OptionSpec> = {
  'max-error-rate': { type: 'string', placeholder: 'R', description: 'tolerated share of malformed records per input (default 0.01)' },
  'keep-bots': { type: 'boolean', description: 'keep bot / AutoModerator / [deleted] authors' },
  'keep-nsfw': { type: 'boolean', description: 'keep NSFW communities' },
};

export const filterFlags = {
  maxErrorRate: numberFlag(0, true)
    .refine((x) => x <= 1, 'must be at most 1')
    .optional(),
  keepBots: z.boolean().optional(),
  keepNsfw: z.boolean().optional(),
};
