import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest, IngestError } from '../../server/encoder/ingest/index.ts';

/** DuckDB ingestion of every supported input kind, with the filters and the malformed-record report. */
const F = path.resolve(import.meta.dirname, '../fixtures/encoder');
const tmp = mkdtempSync(path.join(tmpdir(), 'zipp-ingest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const expectedDump = [
  { user: 'alice_h', community: 'analogcommunity', posts: 1, comments: 1 },
  { user: 'alice_h', community: 'photography', posts: 0, comments: 1 },
  { user: 'bob_k', community: 'nfl', posts: 0, comments: 1 },
  { user: 'bob_k', community: 'photography', posts: 0, comments: 1 },
  { user: 'carol_m', community: 'nfl', posts: 0, comments: 1 },
  { user: 'carol_m', community: 'photography', posts: 0, comments: 1 },
  { user: 'dave_p', community: 'cooking', posts: 0, comments: 1 },
];

describe('Pushshift-style NDJSON', () => {
  it('fails past the error rate, naming the malformed lines and the fix', async () => {
    const err = await ingest({ inputs: [path.join(F, 'pushshift-sample.ndjson')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as Error).message).toMatch(/3 of 16 records are malformed \(18\.8% > 1\.0%\), e\.g\. lines 13, 14, 15 .*raise --max-error-rate/);
  });

  for (const file of ['pushshift-sample.ndjson', 'pushshift-sample.ndjson.zst']) {
    it(`aggregates ${file}: posts vs comments, r/ names, bots, majority-NSFW communities`, async () => {
      const r = await ingest({ inputs: [path.join(F, file)], maxErrorRate: 0.5 });
      expect(r.interactions).toEqual(expectedDump);
      expect(r.labels.get('analogcommunity')).toBe('AnalogCommunity');
      expect(r.report.sources[0]).toMatchObject({ records: 16, malformed: 3, malformedLines: [13, 14, 15] });
      expect(r.report.bots).toEqual({ users: 3, edges: 3 });
      expect(r.report.nsfw).toEqual({ communities: 1, edges: 1 });
      expect(r.report.final).toMatchObject({ users: 4, communities: 4, edges: 7 });
    });
  }

  it('keeps bots and NSFW communities when asked', async () => {
    const r = await ingest({ inputs: [path.join(F, 'pushshift-sample.ndjson')], maxErrorRate: 0.5, keepBots: true, keepNsfw: true });
    expect(r.report.final.users).toBe(7);
    expect(r.interactions.some((i) => i.community === 'spicyplace' && i.posts === 2)).toBe(true);
  });
});

describe('CSV edges', () => {
  it('reports rejected rows with their line numbers and reader messages', async () => {
    const r = await ingest({ inputs: [path.join(F, 'edges-with-errors.csv')], maxErrorRate: 0.5 });
    expect(r.report.sources[0]).toMatchObject({ kind: 'csv', records: 6, malformed: 2, malformedLines: [4, 7] });
    expect(r.report.sources[0]!.reasons[0]).toMatch(/"seven"/);
    expect(r.interactions).toContainEqual({ user: 'u1', community: 'analogcommunity', posts: 1, comments: 4 });
  });

  it('prunes long-tail communities and low-degree users, and reports the share of activity pruned', async () => {
    const file = path.join(tmp, 'edges.csv');
    writeFileSync(file, 'author,subreddit,count\na,big,5\nb,big,3\nb,mid,1\nc,mid,1\nc,tiny,1\nd,big,1\n');
    const r = await ingest({ inputs: [file], minCommunityUsers: 2, minUserDegree: 2 });
    expect(r.report.pruned).toEqual({ communities: 1, edges: 1, activityShare: 1 / 12 });
    expect(r.report.lowDegreeUsers).toBe(3);
    expect(r.interactions.map((i) => `${i.user}:${i.community}:${i.comments}`)).toEqual(['b:big:3', 'b:mid:1']);
  });

  it('says which columns are missing', async () => {
    const file = path.join(tmp, 'bad-columns.csv');
    writeFileSync(file, 'name,value\nx,1\n');
    await expect(ingest({ inputs: [file] })).rejects.toThrow(/needs a user column .* the header has "name", "value"/);
  });

  it('refuses an empty graph after filtering, saying what removed the edges', async () => {
    const file = path.join(tmp, 'only-bots.csv');
    writeFileSync(file, 'user,community,comments\nAutoModerator,pics,3\n[deleted],pics,1\n');
    await expect(ingest({ inputs: [file] })).rejects.toThrow(/graph is empty after filtering \(2 edges read; 2 from bots/);
  });
});

describe('Reddit data export', () => {
  it('counts posts and comments per subreddit for one user, leaving out profile posts', async () => {
    const r = await ingest({ inputs: [path.join(F, 'reddit-export')], exportUser: 'me' });
    expect(r.interactions).toEqual([
      { user: 'me', community: 'analogcommunity', posts: 1, comments: 2 },
      { user: 'me', community: 'nfl', posts: 0, comments: 1 },
      { user: 'me', community: 'photography', posts: 0, comments: 1 },
    ]);
  });
});

describe('inputs', () => {
  it('names an unknown format and a missing file', async () => {
    const odd = path.join(tmp, 'data.parquet');
    writeFileSync(odd, 'x');
    await expect(ingest({ inputs: [odd] })).rejects.toThrow(/cannot tell the format .*\.csv, \.jsonl or \.ndjson/);
    await expect(ingest({ inputs: [path.join(tmp, 'nope.csv')] })).rejects.toThrow(/input not found/);
  });

  it('drops NSFW communities listed in the communities file', async () => {
    const file = path.join(tmp, 'edges-nsfw.csv');
    writeFileSync(file, 'user,community,comments\na,spicyplace,3\na,cooking,1\n');
    const r = await ingest({ inputs: [file], communities: path.join(F, 'communities.jsonl') });
    expect(r.interactions.map((i) => i.community)).toEqual(['cooking']);
  });
});

describe("Reddit's name rule", () => {
  const LASTFM = path.resolve(import.meta.dirname, '../../models/data/lastfm/interactions.csv');

  it('keeps the names of non-Reddit data (Last.fm artists), normalised for matching with the spelling as label', async () => {
    const r = await ingest({ inputs: [LASTFM] });
    expect(r.report.invalidNames).toEqual({ communities: 0, edges: 0 });
    expect(r.report.final.communities).toBe(r.report.raw.communities);
    expect(r.labels.get('guns n\' roses')).toBe("Guns N' Roses");
  });

  it('applies to every input with redditNames, and to Reddit inputs (a subreddit column) always', async () => {
    const all = await ingest({ inputs: [LASTFM], redditNames: true });
    expect(all.report.invalidNames.communities).toBeGreaterThan(10_000);
    const file = path.join(tmp, 'subreddits.csv');
    writeFileSync(file, 'author,subreddit\nu1,analog\nu1,not a sub!\nu2,analog\n');
    const reddit = await ingest({ inputs: [file] });
    expect(reddit.report.invalidNames).toEqual({ communities: 1, edges: 1 });
  });
});
