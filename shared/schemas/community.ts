import { z } from 'zod';
import { normalizeCommunityName, REDDIT_NAME, REDDIT_NAME_HINT } from '../community/name.ts';

/**
 * A community name from any user–community data (subreddits, Last.fm artists such as "Guns N' Roses"),
 * normalised (community/name.ts): 1 to 100 characters, no control characters. Reddit's stricter rule is
 * `RedditCommunityName`, for Reddit sources only.
 */
export const CommunityName = z
  .string()
  .transform(normalizeCommunityName)
  .pipe(
    z
      .string()
      .min(1, 'community name is empty')
      .max(100, 'a community name is at most 100 characters')
      .regex(/^\P{Cc}+$/u, 'a community name has no control characters (tabs, line breaks)'),
  );

/** A community name from a Reddit source (an export, a dump, a pasted subreddit list): Reddit's rule too. */
export const RedditCommunityName = CommunityName.pipe(z.string().regex(REDDIT_NAME, REDDIT_NAME_HINT));

/** How much one user took part in one community. t_us = posts + comments. */
export const CommunityActivity = z
  .object({
    name: CommunityName,
    posts: z.number().int().nonnegative().default(0),
    comments: z.number().int().nonnegative().default(0),
  })
  .refine((a) => a.posts + a.comments > 0, {
    message: 'activity needs at least one post or comment',
    path: ['comments'],
  });
export type CommunityActivity = z.infer<typeof CommunityActivity>;

/** A user's community list: at least one entry, names unique after normalisation. */
export const CommunityList = z
  .array(CommunityActivity)
  .min(1, 'give at least one community, e.g. "analog:40"')
  .refine((list) => new Set(list.map((c) => c.name)).size === list.length, {
    message: 'a community appears twice; merge its counts into one entry',
  });
export type CommunityList = z.infer<typeof CommunityList>;
