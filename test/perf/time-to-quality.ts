import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NoTextFeatures } from '../../shared/embed/no-text-features.ts';
import { runTraining } from '../../server/encoder/train-run.ts';

/**
 * Time to quality: trains a model folder's configuration from scratch on a vendored graph and reports,
 * per epoch, the wall time spent so far (training steps + validation) and the validation MRR; the time to
 * quality is the wall time until validation MRR first comes within 1% of the run's best. Peak RSS is the
 * process's. Run as a script (a fresh process, so RSS is this run's alone):
 *   node --import tsx test/perf/time-to-quality.ts [--model models/reddit-dense] [--data models/data/reddit-dense]
 */
export interface TimeToQuality {
  epochs: { epoch: number; wallSeconds: number; mrr: number }[];
  bestMrr: number;
  /** Seconds of training + validation until validation MRR ≥ 0.99 × best. */
  secondsToQuality: number;
  /** The same plus ingestion and setup before the first step. */
  secondsToQualityFromStart: number;
  /** Share of the epochs' wall time spent in validation. */
  validationShare: number;
  peakRssMiB: number;
  vocabulary: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function timeToQuality(modelDir: string, dataDir: string): Promise<TimeToQuality> {
  const { config } = JSON.parse(readFileSync(path.join(modelDir, 'weights.json'), 'utf8')) as { config: Record<string, unknown> };
  const out = mkdtempSync(path.join(tmpdir(), 'zipp-ttq-'));
  const t0 = performance.now();
  let firstStep = 0;
  try {
    const run = await runTraining({
      interactions: [path.join(dataDir, 'interactions.csv')],
      out,
      config,
      holdoutShare: 0.15,
      minCommunityUsers: 2,
      minCommunityActivity: 1,
      embedder: async () => new NoTextFeatures(),
      skipEvaluation: true,
      progress: { start: () => (firstStep = performance.now()), step: () => {}, epoch: () => {}, stop: () => {} },
    });
    const setup = (firstStep - t0) / 1000;
    let wall = 0;
    let validation = 0;
    const epochs = run.result.history.map((h) => {
      wall += h.seconds + (h.validationSeconds ?? 0);
      validation += h.validationSeconds ?? 0;
      return { epoch: h.epoch, wallSeconds: wall, mrr: h.validation.mrr };
    });
    const bestMrr = Math.max(...epochs.map((e) => e.mrr));
    const reached = epochs.find((e) => e.mrr >= 0.99 * bestMrr)!;
    return {
      epochs,
      bestMrr,
      secondsToQuality: reached.wallSeconds,
      secondsToQualityFromStart: reached.wallSeconds + setup,
      validationShare: wall > 0 ? validation / wall : 0,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      vocabulary: run.vocabulary,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1]! : fallback;
  };
  const result = await timeToQuality(arg('--model', path.join(ROOT, 'models/reddit-dense')), arg('--data', path.join(ROOT, 'models/data/reddit-dense')));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
