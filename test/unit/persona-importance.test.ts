import { describe, expect, it } from 'vitest';
import { CommunityList } from '../../shared/schemas/community.ts';
import { activityScorer, createTfidfScorer, documentFrequencies, resolveImportance, tfidfImportance } from '../../shared/persona/importance.ts';

describe('TF-IDF importance', () => {
  it('counts distinct users per normalised community', () => {
    const t = documentFrequencies([
      { user: 'u1', community: 'AskReddit' },
      { user: 'u1', community: 'askreddit' },
      { user: 'u2', community: 'r/AskReddit' },
      { user: 'u2', community: 'analog' },
      { user: 'u3', community: 'woodworking' },
    ]);
    expect(t.users).toBe(3);
    expect([...t.df].sort()).toEqual([['analog', 1], ['askreddit', 2], ['woodworking', 1]]);
  });

  it('ranks a rare community above a ubiquitous one at equal activity', () => {
    const table = { users: 10, df: new Map([['analog', 1], ['askreddit', 9]]) };
    const activity = CommunityList.parse([
      { name: 'AskReddit', comments: 10 },
      { name: 'analog', posts: 4, comments: 6 },
      { name: 'brandnewsub', comments: 5 },
    ]);
    const s = tfidfImportance(activity, table);
    // tf = share of 25 actions; idf = ln(11 / (1 + df)) + 1.
    expect(s.get('analog')).toBeCloseTo(0.4 * (Math.log(11 / 2) + 1), 12); // 1.0819
    expect(s.get('askreddit')).toBeCloseTo(0.4 * (Math.log(11 / 10) + 1), 12); // 0.4381
    expect(s.get('brandnewsub')).toBeCloseTo(0.2 * (Math.log(11) + 1), 12); // 0.6796: unknown = rarest
    expect([...s].sort((a, b) => b[1] - a[1]).map(([n]) => n)).toEqual(['analog', 'brandnewsub', 'askreddit']);
  });

  it('is swappable behind the ImportanceScorer type', async () => {
    const activity = CommunityList.parse([{ name: 'analog', comments: 3 }, { name: 'pics', comments: 1 }]);
    const scorers = [createTfidfScorer({ users: 2, df: new Map([['pics', 2]]) }), activityScorer];
    const results = await Promise.all(scorers.map(async (score) => [...(await score(activity))]));
    expect(results[1]).toEqual([['analog', 3], ['pics', 1]]);
    expect(results[0]![0]![1]).toBeGreaterThan(results[0]![1]![1]);
  });
});

describe('resolveImportance: the one rule', () => {
  const activity = CommunityList.parse([
    { name: 'askreddit', comments: 10 },
    { name: 'analog', comments: 2 },
  ]);
  const table = documentFrequencies([
    { user: 'a', community: 'askreddit' },
    { user: 'b', community: 'askreddit' },
    { user: 'c', community: 'askreddit' },
    { user: 'a', community: 'analog' },
  ]);
  const attention = () => new Map([['analog', 0.9], ['askreddit', 0.1]]);

  it('takes explicit weights, then the encoder, then TF-IDF, then activity share — the first available', async () => {
    expect(resolveImportance({ weights: [{ name: 'r/Analog', weight: 3 }], attention, tfidf: table }).source).toBe('weights');
    expect(await resolveImportance({ weights: [{ name: 'r/Analog', weight: 3 }] }).scorer(activity)).toEqual(new Map([['analog', 3]]));
    expect(resolveImportance({ weights: [], attention, tfidf: table }).source).toBe('encoder');
    expect(await resolveImportance({ attention, tfidf: table }).scorer(activity)).toEqual(attention());
    const tfidf = resolveImportance({ tfidf: table });
    expect(tfidf.source).toBe('tfidf');
    expect(await tfidf.scorer(activity)).toEqual(tfidfImportance(activity, table));
    const fallback = resolveImportance();
    expect(fallback.source).toBe('activity');
    expect(await fallback.scorer(activity)).toEqual(new Map([['askreddit', 10], ['analog', 2]]));
  });
});
