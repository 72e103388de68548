import type { CommunityRecord } from './records.ts';

/** Characters of the sidebar kept: it is long, noisy markup, and the description usually says it better. */
const SIDEBAR_CHARS = 400;

/**
 * The text a community's features are embedded from — the one function training (models/encoder/dataset.ts)
 * and inference (shared/encoder/inputs.ts) both call, so a community gets the same vector on both paths.
 * The name comes first (about half of Reddit's communities have no description, and unknown communities at
 * inference often have only a name): the record's own spelling when there is a record, else the spelling
 * given (its camelCase and underscores are split by the embedder's tokenizer, so "PathfinderRPG" and
 * "pathfinderrpg" differ — which is why the record's spelling wins over however the name was typed).
 */
export function communityText(name: string, record?: Partial<CommunityRecord>): string {
  const parts = [record?.name ?? name, record?.title, record?.description, record?.categories?.join(', '), record?.sidebar?.slice(0, SIDEBAR_CHARS)];
  return parts
    .filter((p): p is string => typeof p === 'string' && p.trim().length > 0)
    .join('. ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
