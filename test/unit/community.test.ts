import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTrainingSet } from '../../models/encoder/dataset.ts';
import { parseCommunityList, parseCommunitySpec } from '../../shared/community/list.ts';
import { normalizeCommunityName } from '../../shared/community/name.ts';
import { parseCommunityRecords } from '../../shared/community/records.ts';
import { communityText } from '../../shared/community/text.ts';
import { HashedTfidfEmbedder } from '../../shared/embed/hashed-tfidf.ts';
import { prepareBatch } from '../../shared/encoder/inputs.ts';
import { EncoderManifest } from '../../shared/encoder/manifest.ts';
import { Vocabulary } from '../../shared/encoder/vocabulary.ts';
import { InputError } from '../../shared/errors.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the community list grammar (CLI, extension, dashboard)', () => {
  it('reads every spelling the three front doors accepted', () => {
    // The CLI's "name:count,name:posts/comments,name"; the dashboard's "name:posts comments".
    expect(parseCommunitySpec('analog:40, r/Photography:2/3,askreddit,cooking')).toEqual([
      { name: 'analog', posts: 0, comments: 40 },
      { name: 'photography', posts: 2, comments: 3 },
      { name: 'askreddit', posts: 0, comments: 1 },
      { name: 'cooking', posts: 0, comments: 1 },
    ]);
    expect(parseCommunitySpec('analog:40, r/photography:12 3')).toEqual([
      { name: 'analog', posts: 0, comments: 40 },
      { name: 'photography', posts: 12, comments: 3 },
    ]);
    // The extension's pasted list (one test over all its forms lives in extension-parsers.test.ts).
    expect(parseCommunityList('r/houseplants 1,200\nwoodworking,7\nsewing 3 posts 40 comments').communities).toEqual([
      { name: 'houseplants', posts: 0, comments: 1200 },
      { name: 'woodworking', posts: 0, comments: 7 },
      { name: 'sewing', posts: 3, comments: 40 },
    ]);
  });

  it('is strict where one line must be right: the entry, the repeat and the empty list are InputErrors on `communities`', () => {
    for (const [spec, message] of [
      ['analog:4x', /cannot read community entry "analog:4x"/],
      [' , ', /no communities given/],
      ['analog:1,ANALOG:2', /"ANALOG:2": the community appears twice/],
    ] as const) {
      const err = (() => {
        try {
          parseCommunitySpec(spec);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).field).toBe('communities');
      expect((err as Error).message).toMatch(message);
    }
  });

  it('keeps non-Reddit names when asked (artists with spaces and apostrophes), Reddit names by default', () => {
    expect(parseCommunitySpec("Guns N' Roses:12, The Beatles:3", { names: 'any' })).toEqual([
      { name: "guns n' roses", posts: 0, comments: 12 },
      { name: 'the beatles', posts: 0, comments: 3 },
    ]);
    expect(parseCommunityList('bad!name 3').errors[0]?.message).toMatch(/letters, digits/);
  });
});

describe('communities.jsonl, read once for every caller', () => {
  const content = [
    '{"name": "PathfinderRPG", "title": "Pathfinder", "categories": ["Gaming"], "over18": false, "lang": "en"}',
    '{"name": "nsfwthing", "over18": true}',
    '',
    '{"name": "r/Analog", "description": "Film"}',
  ].join('\n');

  it('keys records by normalised name and keeps the label and every field, over18 included', () => {
    const table = parseCommunityRecords(content, 'c.jsonl');
    expect(table.size).toBe(3);
    expect(table.get('pathfinderrpg')).toEqual({ name: 'PathfinderRPG', title: 'Pathfinder', categories: ['Gaming'], over18: false, lang: 'en' });
    expect(table.label('r/PATHFINDERRPG')).toBe('PathfinderRPG');
    expect(table.get('analog')?.description).toBe('Film');
    expect(table.nsfw()).toEqual(['nsfwthing']);
    expect(table.pick(['Analog', 'nope', 'analog']).map((r) => r.name)).toEqual(['r/Analog']);
  });

  it('refuses what is not community records, naming the file, the line and the fix', () => {
    expect(() => parseCommunityRecords('user,community\nu1,analog\n', 'x.csv')).toThrow(/^x\.csv line 1: not JSON; write one \{"name"/);
    expect(() => parseCommunityRecords('{"name": 3}', 'n.jsonl')).toThrow(/^n\.jsonl line 1: name: .*object per line/);
    expect(() => parseCommunityRecords('\u0000\u0001garbage', 'b.bin')).toThrow(/^b\.bin line 1: binary data/);
    expect(() => parseCommunityRecords('\n\n', 'e.jsonl')).toThrow(/^e\.jsonl: no community records/);
  });

  it('reads the vendored table whole', () => {
    const file = path.join(ROOT, 'models/data/reddit/communities.jsonl');
    const table = parseCommunityRecords(readFileSync(file, 'utf8'), file);
    expect(table.size).toBeGreaterThan(10_000);
    expect(table.nsfw().length).toBeGreaterThan(100);
  });
});

describe('community features: the same vector at training and at inference', () => {
  it('gives a community the model never saw exactly the features training would have given it', async () => {
    // The data spells the community in lower case; its record keeps "PathfinderRPG" (split into two words
    // by the tokenizer). Training used to embed the data's spelling, inference the lower-cased name.
    const records = parseCommunityRecords('{"name": "PathfinderRPG", "title": "Pathfinder", "categories": ["Gaming", "Tabletop"]}', 'c.jsonl');
    const interactions = ['u1', 'u2', 'u3'].flatMap((user) => [
      { user, community: 'pathfinderrpg', posts: 1, comments: 2 },
      { user, community: 'analog', posts: 0, comments: 3 },
    ]);
    const set = await buildTrainingSet(interactions, {
      minCommunityUsers: 1,
      minCommunityActivity: 1,
      records,
      labels: new Map([['pathfinderrpg', 'pathfinderrpg']]),
      embedder: async (texts) => HashedTfidfEmbedder.fit(texts, { dimension: 64 }),
    });
    const row = set.graph.communities.indexOf('pathfinderrpg');
    const trained = Array.from(set.features.subarray(row * set.featureDim, (row + 1) * set.featureDim));

    // Inference with a model whose vocabulary lacks it (the shipped one), the same embedder and records.
    const manifest = EncoderManifest.parse(JSON.parse(readFileSync(path.join(ROOT, 'models/zipp-encoder/vocabulary.json'), 'utf8')));
    const vocabulary = new Vocabulary(manifest);
    expect(vocabulary.lookup('pathfinderrpg')).toBeUndefined();
    const batch = await prepareBatch([[{ name: normalizeCommunityName('PathfinderRPG'), posts: 1, comments: 2 }, { name: 'analog', posts: 0, comments: 3 }]], vocabulary, {
      embedder: set.embedder,
      records,
      featureDim: set.featureDim,
      maxNeighbours: 50,
      edgeScale: 1,
      epsilon: 1e-9,
    });
    expect(batch.extraCount).toBe(1);
    expect(Array.from(batch.extraFeatures.subarray(0, set.featureDim))).toEqual(trained);
    expect(trained.some((x) => x !== 0)).toBe(true);
    expect(communityText('pathfinderrpg', records.get('pathfinderrpg'))).toBe('PathfinderRPG. Pathfinder. Gaming, Tabletop');
  });
});
