import type { Interaction } from './bipartite.ts';

/**
 * Long-tail pruning: drops communities with fewer than `minUsers` distinct users or less than
 * `minActivity` total posts + comments (the paper removes the bottom of the activity distribution: such
 * communities carry almost no signal and add noise to attention). Returns the kept edges and what went.
 */
export function pruneCommunities(
  interactions: readonly Interaction[],
  options: { minUsers: number; minActivity: number },
): { kept: Interaction[]; prunedCommunities: number; prunedEdges: number; prunedActivityShare: number } {
  const users = new Map<string, number>();
  const activity = new Map<string, number>();
  let total = 0;
  for (const it of interactions) {
    const t = it.posts + it.comments;
    users.set(it.community, (users.get(it.community) ?? 0) + 1);
    activity.set(it.community, (activity.get(it.community) ?? 0) + t);
    total += t;
  }
  const drop = new Set([...users.keys()].filter((c) => users.get(c)! < options.minUsers || activity.get(c)! < options.minActivity));
  const kept = interactions.filter((it) => !drop.has(it.community));
  const prunedActivity = [...drop].reduce((s, c) => s + activity.get(c)!, 0);
  return { kept, prunedCommunities: drop.size, prunedEdges: interactions.length - kept.length, prunedActivityShare: total > 0 ? prunedActivity / total : 0 };
}
