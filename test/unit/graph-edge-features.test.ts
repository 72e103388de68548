import { describe, expect, it } from 'vitest';
import { buildGraph, communityMembers, userCommunities } from '../../shared/graph/bipartite.ts';
import { parseCommunitySpec } from '../../shared/community/list.ts';
import { commentFraction, edgeWeight } from '../../shared/graph/edge-features.ts';
import { buildPaddedNeighbourhood } from '../../shared/graph/neighbourhood.ts';
import { pruneCommunities } from '../../shared/graph/prune.ts';

describe('edge features', () => {
  it('weights activity by log and both degrees (PinSAGE style)', () => {
    expect(edgeWeight(10, 20, 500, 1)).toBeCloseTo(Math.log(11) / Math.sqrt(20 * 500 + 1), 12);
    // The same activity weighs less in a bigger community and for a more active user.
    expect(edgeWeight(5, 10, 100)).toBeGreaterThan(edgeWeight(5, 10, 10_000));
    expect(edgeWeight(5, 10, 100)).toBeGreaterThan(edgeWeight(5, 1_000, 100));
    expect(edgeWeight(0, 0, 0)).toBe(0);
  });

  it('comment fraction is comments over all activity, 0 without activity', () => {
    expect(commentFraction(1, 3)).toBe(0.75);
    expect(commentFraction(0, 0)).toBe(0);
  });
});

describe('bipartite graph', () => {
  const g = buildGraph([
    { user: 'b', community: 'r/Photography', posts: 1, comments: 2 },
    { user: 'a', community: 'analog', posts: 0, comments: 4 },
    { user: 'a', community: 'photography', posts: 0, comments: 1 },
    { user: 'b', community: 'PHOTOGRAPHY', posts: 0, comments: 5 },
  ]);

  it('normalises names, merges repeated pairs and sorts for stable indices', () => {
    expect(g.users).toEqual(['a', 'b']);
    expect(g.communities).toEqual(['analog', 'photography']);
    expect(Array.from(userCommunities(g, 1))).toEqual([1]);
    expect(g.edgeComments[g.offsets[1]!]).toBe(7);
    expect(Array.from(g.userActivity)).toEqual([5, 8]);
    expect(Array.from(g.communityActivity)).toEqual([4, 9]);
    expect(Array.from(g.communityUsers)).toEqual([1, 2]);
  });

  it('transposes to members per community', () => {
    const m = communityMembers(g);
    expect(Array.from(m.users.subarray(m.offsets[1]!, m.offsets[2]!))).toEqual([0, 1]);
  });
});

describe('padded neighbourhood', () => {
  const lists = [
    [
      { index: 3, posts: 0, comments: 1 },
      { index: 7, posts: 2, comments: 8 },
      { index: 9, posts: 0, comments: 5 },
    ],
    [{ index: 4, posts: 1, comments: 0 }],
  ];

  it('pads to the longest list with a zero mask and keeps the most active entries past maxWidth', () => {
    const hood = buildPaddedNeighbourhood(lists, { communityActivity: () => 100, maxWidth: 2, edgeScale: 10 });
    expect(hood.width).toBe(2);
    expect(Array.from(hood.ids)).toEqual([7, 9, 4, 0]);
    expect(Array.from(hood.mask)).toEqual([1, 1, 1, 0]);
    expect(hood.positions).toEqual([[1, 2], [0]]);
    // c_u counts the whole list (16), not only the kept entries.
    expect(hood.edges[0]).toBeCloseTo(10 * edgeWeight(10, 16, 100), 5);
    expect(hood.edges[1]).toBeCloseTo(0.8, 6);
    expect(hood.edges[2 * 3]).toBe(0);
    expect(hood.edges[2 * 2 + 1]).toBe(0);
  });
});

describe('community list spelling', () => {
  it('reads name, name:count and name:posts/comments', () => {
    expect(parseCommunitySpec('analog:40, r/Photography:2/3,askreddit')).toEqual([
      { name: 'analog', posts: 0, comments: 40 },
      { name: 'photography', posts: 2, comments: 3 },
      { name: 'askreddit', posts: 0, comments: 1 },
    ]);
  });

  it('names the bad entry', () => {
    expect(() => parseCommunitySpec('analog:4x')).toThrow(/"analog:4x"/);
    expect(() => parseCommunitySpec(' , ')).toThrow(/no communities given/);
    expect(() => parseCommunitySpec('analog:1,ANALOG:2')).toThrow(/appears twice/);
  });
});

describe('long-tail pruning', () => {
  it('drops communities below the user or activity threshold and reports the share', () => {
    const rows = [
      { user: 'a', community: 'big', posts: 0, comments: 5 },
      { user: 'b', community: 'big', posts: 0, comments: 3 },
      { user: 'a', community: 'tiny', posts: 0, comments: 2 },
    ];
    const r = pruneCommunities(rows, { minUsers: 2, minActivity: 1 });
    expect(r.kept.map((k) => k.community)).toEqual(['big', 'big']);
    expect(r.prunedCommunities).toBe(1);
    expect(r.prunedActivityShare).toBeCloseTo(0.2, 10);
    expect(pruneCommunities(rows, { minUsers: 1, minActivity: 3 }).kept).toHaveLength(2);
  });
});
