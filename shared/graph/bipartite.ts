import { normalizeCommunityName } from '../community/name.ts';

/** One aggregated user–community edge: how often the user posted and commented there. */
export interface Interaction {
  user: string;
  community: string;
  posts: number;
  comments: number;
}

/**
 * The user × community graph in compressed-sparse-row form, users and communities sorted by name so the
 * same edges always give the same indices (training is seeded and must not depend on input order).
 */
export interface BipartiteGraph {
  users: string[];
  communities: string[];
  communityIndex: ReadonlyMap<string, number>;
  /** Edges of user u are offsets[u] .. offsets[u + 1] - 1. */
  offsets: Int32Array;
  edgeCommunity: Int32Array;
  edgePosts: Float32Array;
  edgeComments: Float32Array;
  /** c_u: total posts + comments of each user. */
  userActivity: Float64Array;
  /** c_s: total posts + comments in each community. */
  communityActivity: Float64Array;
  /** Distinct users per community (its document frequency). */
  communityUsers: Int32Array;
}

/** Builds the graph, normalising community names and merging repeated (user, community) pairs. */
export function buildGraph(interactions: Iterable<Interaction>): BipartiteGraph {
  const merged = new Map<string, Map<string, { posts: number; comments: number }>>();
  for (const it of interactions) {
    const community = normalizeCommunityName(it.community);
    let row = merged.get(it.user);
    if (!row) merged.set(it.user, (row = new Map()));
    const cell = row.get(community);
    if (cell) {
      cell.posts += it.posts;
      cell.comments += it.comments;
    } else row.set(community, { posts: it.posts, comments: it.comments });
  }
  const users = [...merged.keys()].sort();
  const communitySet = new Set<string>();
  for (const row of merged.values()) for (const c of row.keys()) communitySet.add(c);
  const communities = [...communitySet].sort();
  const communityIndex = new Map(communities.map((c, i) => [c, i]));

  let edgeCount = 0;
  for (const row of merged.values()) edgeCount += row.size;
  const offsets = new Int32Array(users.length + 1);
  const edgeCommunity = new Int32Array(edgeCount);
  const edgePosts = new Float32Array(edgeCount);
  const edgeComments = new Float32Array(edgeCount);
  const userActivity = new Float64Array(users.length);
  const communityActivity = new Float64Array(communities.length);
  const communityUsers = new Int32Array(communities.length);
  let e = 0;
  users.forEach((user, u) => {
    offsets[u] = e;
    const row = [...merged.get(user)!.entries()]
      .map(([name, cell]) => ({ index: communityIndex.get(name)!, ...cell }))
      .sort((a, b) => a.index - b.index);
    for (const { index, posts, comments } of row) {
      edgeCommunity[e] = index;
      edgePosts[e] = posts;
      edgeComments[e] = comments;
      userActivity[u]! += posts + comments;
      communityActivity[index]! += posts + comments;
      communityUsers[index]! += 1;
      e++;
    }
  });
  offsets[users.length] = e;
  return { users, communities, communityIndex, offsets, edgeCommunity, edgePosts, edgeComments, userActivity, communityActivity, communityUsers };
}

/** The community indices of user u (a view, no copy). */
export function userCommunities(graph: BipartiteGraph, u: number): Int32Array {
  return graph.edgeCommunity.subarray(graph.offsets[u]!, graph.offsets[u + 1]!);
}

export function userDegree(graph: BipartiteGraph, u: number): number {
  return graph.offsets[u + 1]! - graph.offsets[u]!;
}

/** Users per community as CSR (the transpose), for co-occurrence sampling and baselines. */
export function communityMembers(graph: BipartiteGraph): { offsets: Int32Array; users: Int32Array } {
  const offsets = new Int32Array(graph.communities.length + 1);
  for (let i = 0; i < graph.communities.length; i++) offsets[i + 1] = offsets[i]! + graph.communityUsers[i]!;
  const fill = offsets.slice(0, -1);
  const users = new Int32Array(graph.edgeCommunity.length);
  for (let u = 0; u < graph.users.length; u++) {
    for (let e = graph.offsets[u]!; e < graph.offsets[u + 1]!; e++) users[fill[graph.edgeCommunity[e]!]!++] = u;
  }
  return { offsets, users };
}
