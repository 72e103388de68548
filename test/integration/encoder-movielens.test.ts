import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMovieLens, writeMovieLensFiles } from '../../models/encoder/movielens.ts';
import { runTraining } from '../../server/encoder/train-run.ts';

/**
 * MovieLens (ml-latest-small, vendored in models/data/movielens) as a second real bipartite graph: users ×
 * liked movies, genres / tags / titles as descriptions. The Reddit pipeline — ingestion, split, training,
 * ONNX export, leave-one-out evaluation of the exported model — must beat popularity on it.
 */
const tmp = mkdtempSync(path.join(tmpdir(), 'zipp-movielens-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('MovieLens through the encoder pipeline', () => {
  it('trains on users × liked movies and beats popularity on held-out users (hit@10 and MRR)', async () => {
    const graph = readMovieLens(path.resolve(import.meta.dirname, '../../models/data/movielens'), { minRating: 4, minLikes: 20 });
    expect(graph.movies.size).toBeGreaterThan(500);
    expect(graph.movies.get('toy_story_1995-1')).toMatchObject({ title: 'Toy Story (1995)', categories: expect.arrayContaining(['Animation']) });
    const files = writeMovieLensFiles(graph, path.join(tmp, 'data'));
    const run = await runTraining({
      interactions: [files.interactions],
      communities: files.communities,
      out: path.join(tmp, 'model'),
      // Small and fast; a fifth of the liked movies per user are hidden and predicted each step.
      config: { hidden: 32, batchSize: 64, learningRate: 3e-3, epochs: 60, patience: 15, maskRate: 0.2, idDropout: 0.1, seed: 42 },
      holdoutShare: 0.3,
      minCommunityUsers: 1,
      minCommunityActivity: 1,
      hashedTfidf: { dimension: 256 },
    });
    const e = run.evaluation!;
    expect(e.users).toBeGreaterThan(150);
    expect(e.encoder['hit@10']).toBeGreaterThan(e.baselines.popularity['hit@10']);
    expect(e.encoder.mrr).toBeGreaterThan(e.baselines.popularity.mrr);
    expect(e.encoder.mrr).toBeGreaterThan(5 * e.baselines.random.mrr);
  }, 150_000);
});
