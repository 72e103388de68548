import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CRASH_STAGES } from '../../server/jobs/kinds/crash-point.ts';
import { spawnZipp, type ZippProcess } from '../helpers/server-process.ts';
import { waitUntil } from '../helpers/server-app.ts';

/**
 * A training job's record and its checkpoint agree after a crash at any stage of an epoch. Each case
 * starts the real `zipp serve` with ZIPP_TEST_KILL_AT=<stage>:2, which kills the server and its training
 * process (SIGKILL, like a power cut) at exactly that point of epoch 2; a second server on the same data
 * directory resumes the job, and then every epoch is recorded exactly once, as the checkpoint has it.
 */
const EPOCHS = 3;
let dataDir: string;
let running: ZippProcess[] = [];

afterEach(async () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  running = [];
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async (env: Record<string, string> = {}) => {
  // No community encoder: these servers only train, and start faster without loading one.
  const p = await spawnZipp({ dataDir, env, args: ['--encoder', path.join(dataDir, 'no-encoder')] });
  running.push(p);
  return p;
};

describe('kill -9 at each stage of a training epoch', () => {
  it.each(CRASH_STAGES.map((s) => [s]))('%s: the resumed job records every epoch once, exactly as its checkpoint holds it', { timeout: 120_000 }, async (stage) => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-crash-'));
    // The first 120 users of the small fixture: enough for several batches an epoch, quick to train twice.
    const lines = readFileSync(new URL('../fixtures/server/interactions-small.csv', import.meta.url), 'utf8').trim().split('\n');
    const users = [...new Set(lines.slice(1).map((l) => l.split(',')[0]))].slice(0, 120);
    writeFileSync(path.join(dataDir, 'small.csv'), [lines[0], ...lines.slice(1).filter((l) => users.includes(l.split(',')[0]!))].join('\n') + '\n');
    const first = await start({ ZIPP_TEST_KILL_AT: `${stage}:2` });
    const { body: job } = await first.json('POST', '/v1/encoder/train', {
      interactions: { path: 'small.csv' },
      config: { epochs: EPOCHS, hidden: 8, heads: 2, batchSize: 16, seed: 5, patience: 50 },
      minCommunityUsers: 1,
      minCommunityActivity: 0,
      skipEvaluation: true,
    });
    expect(await first.exited).toBe('SIGKILL');

    const second = await start();
    const done = await waitUntil(async () => {
      const j = (await second.json('GET', `/v1/jobs/${job.id}`)).body;
      return j.status === 'succeeded' || j.status === 'failed' ? j : undefined;
    }, 90_000, 'the resumed training');
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done).toMatchObject({ attempts: 2, interruptions: 1, progress: { done: EPOCHS }, result: { epochsRun: EPOCHS } });

    const units = (await second.json('GET', `/v1/jobs/${job.id}/units`)).body.units as { unit: number; result: Record<string, unknown> }[];
    expect(units.map((u) => u.unit)).toEqual([1, 2, 3]);
    // Each recorded epoch is the checkpoint's own record of it (the training log is the final checkpoint's history).
    const log = JSON.parse(readFileSync(path.join(dataDir, 'models', job.id, 'training-log.json'), 'utf8')) as { history: Record<string, unknown>[] };
    expect(log.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    for (const [i, u] of units.entries()) {
      const { improved, ...record } = u.result;
      expect(record).toEqual(log.history[i]);
      expect(typeof improved).toBe('boolean');
    }
    // The model is there and downloadable.
    const onnx = await second.call('GET', `/v1/encoder/models/${job.id}/encoder.onnx`);
    expect(onnx.status).toBe(200);
    expect((await onnx.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });
});
