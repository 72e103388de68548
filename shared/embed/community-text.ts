import { z } from 'zod';

/** What is known about a community (a line of communities.jsonl); only the name is required. */
export const CommunityInfo = z.object({
  name: z.string().min(1),
  title: z.string().nullish(),
  description: z.string().nullish(),
  categories: z.array(z.string()).nullish(),
  sidebar: z.string().nullish(),
  over18: z.boolean().nullish(),
  subscribers: z.number().nullish(),
});
export type CommunityInfo = z.infer<typeof CommunityInfo>;

/** Characters of the sidebar kept: it is long, noisy markup, and the description usually says it better. */
const SIDEBAR_CHARS = 400;

/**
 * The text a community is embedded from. The name always comes first (about half of Reddit's
 * communities have no description, and unknown communities at inference often have only a name); its
 * camelCase / underscores are split by the embedder's tokenizer.
 */
export function communityText(info: CommunityInfo): string {
  const parts = [info.name, info.title, info.description, info.categories?.join(', '), info.sidebar?.slice(0, SIDEBAR_CHARS)];
  return parts
    .filter((p): p is string => typeof p === 'string' && p.trim().length > 0)
    .join('. ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
