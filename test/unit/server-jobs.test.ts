import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../server/runtime/logger.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import type { JobKind } from '../../server/jobs/kind.ts';
import { JobPool } from '../../server/jobs/pool.ts';
import type { Job } from '../../shared/api/jobs.ts';

const silent = createLogger('silent');

/** A job whose units finish when the test releases them, so interleavings are exact, not timed. */
function gatedKind(name: string, concurrency: number, options: { honourStopping?: boolean } = {}) {
  const gates: (() => void)[] = [];
  const started: string[] = [];
  const kind: JobKind<{ n: number }> = {
    kind: name,
    description: 'test units released by hand',
    params: z.object({ n: z.number().int() }),
    concurrency,
    total: (p) => p.n,
    async run(ctx) {
      started.push(ctx.job.id);
      const finished = ctx.finishedUnits();
      for (let i = 0; i < ctx.params.n; i++) {
        if (finished.has(i)) continue;
        await new Promise<void>((resolve, reject) => {
          gates.push(resolve);
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        });
        ctx.saveUnit(i, { value: i * 10, attempt: ctx.job.attempts });
        if (options.honourStopping && ctx.stopping.aborted) throw ctx.stopping.reason;
      }
      return { units: ctx.units().length, resumed: ctx.resumed };
    },
  };
  const release = async () => {
    await waitFor(() => gates.length > 0);
    gates.shift()!();
  };
  return { kind, started, release, gates };
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'zipp-jobs-'));
  db = openDatabase(path.join(dir, 'zipp.db'));
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('job pool', () => {
  it('runs at most `concurrency` jobs of a kind at once and queues the rest in order', async () => {
    const g = gatedKind('slow', 2);
    const pool = new JobPool({ db, dataDir: dir, log: silent, kinds: [g.kind] });
    pool.start();
    const jobs = [1, 2, 3].map(() => pool.enqueue('slow', { n: 1 }));
    await waitFor(() => g.started.length === 2);
    expect(g.started).toEqual([jobs[0]!.id, jobs[1]!.id]);
    expect(pool.store.get(jobs[2]!.id)!.status).toBe('queued');
    await g.release();
    await waitFor(() => g.started.length === 3);
    await g.release();
    await g.release();
    await waitFor(() => jobs.every((j) => pool.store.get(j.id)!.status === 'succeeded'));
    expect(pool.store.get(jobs[0]!.id)!.result).toEqual({ units: 1, resumed: false });
  });

  it('publishes every change, ending with the terminal state', async () => {
    const g = gatedKind('slow', 1);
    const pool = new JobPool({ db, dataDir: dir, log: silent, kinds: [g.kind] });
    pool.start();
    const seen: Job[] = [];
    const job = pool.enqueue('slow', { n: 2 });
    pool.events.subscribe(job.id, (j) => seen.push(j));
    await g.release();
    await g.release();
    await waitFor(() => seen.at(-1)?.status === 'succeeded');
    expect(seen.map((j) => j.progress.done)).toContain(1);
    expect(seen.at(-1)!.progress).toMatchObject({ done: 2, total: 2 });
  });

  it('cancels a waiting job at once and a running one at its next await', async () => {
    const g = gatedKind('slow', 1);
    const pool = new JobPool({ db, dataDir: dir, log: silent, kinds: [g.kind] });
    pool.start();
    const running = pool.enqueue('slow', { n: 3 });
    const waiting = pool.enqueue('slow', { n: 1 });
    await waitFor(() => g.started.length === 1);
    expect(pool.cancel(waiting.id)!.status).toBe('cancelled');
    await g.release();
    await waitFor(() => pool.store.unitCount(running.id) === 1);
    pool.cancel(running.id);
    await waitFor(() => pool.store.get(running.id)!.status === 'cancelled');
    expect(pool.store.get(running.id)!.error?.code).toBe('cancelled');
    expect(g.started).toEqual([running.id]); // the cancelled waiting job never ran
  });

  it('a failing handler fails its job with the error code and message', async () => {
    const kind: JobKind<Record<string, never>> = {
      kind: 'boom',
      description: 'fails',
      params: z.object({}),
      concurrency: 1,
      total: () => 0,
      run: async () => {
        throw Object.assign(new Error('the disk is full'), { code: 'disk_full' });
      },
    };
    const pool = new JobPool({ db, dataDir: dir, log: silent, kinds: [kind] });
    pool.start();
    const job = pool.enqueue('boom', {});
    await waitFor(() => pool.store.get(job.id)!.status === 'failed');
    expect(pool.store.get(job.id)!.error).toEqual({ code: 'disk_full', message: 'the disk is full' });
  });

  it('a shutdown lets the unit in flight finish and be recorded, then leaves the job interrupted', async () => {
    const g = gatedKind('slow', 1, { honourStopping: true });
    const pool = new JobPool({ db, dataDir: dir, log: silent, kinds: [g.kind] });
    pool.start();
    const job = pool.enqueue('slow', { n: 3 });
    await g.release();
    await waitFor(() => pool.store.unitCount(job.id) === 1 && g.gates.length === 1);
    const stopped = pool.stop(5000);
    await g.release(); // the unit in flight when the shutdown began
    await stopped;
    expect(pool.store.unitCount(job.id)).toBe(2);
    expect(pool.store.get(job.id)).toMatchObject({ status: 'interrupted', interruptions: 1 });
  });

  it('a job that does not stop within the grace period is aborted; the next pool resumes it without redoing finished units', async () => {
    const first = gatedKind('slow', 1);
    const pool = new JobPool({ db, dataDir: dir, log: silent, kinds: [first.kind] });
    pool.start();
    const job = pool.enqueue('slow', { n: 4 });
    await first.release();
    await first.release();
    await waitFor(() => pool.store.unitCount(job.id) === 2);
    await pool.stop(100);
    expect(pool.store.get(job.id)).toMatchObject({ status: 'interrupted', interruptions: 1 });

    const second = gatedKind('slow', 1);
    const next = new JobPool({ db, dataDir: dir, log: silent, kinds: [second.kind] });
    next.start();
    await second.release();
    await second.release();
    await waitFor(() => next.store.get(job.id)!.status === 'succeeded');
    const units = next.store.units(job.id, 0, 10);
    expect(units.map((u) => u.unit)).toEqual([0, 1, 2, 3]);
    // Units 0 and 1 come from the first run (attempt 1), 2 and 3 from the resumed one (attempt 2).
    expect(units.map((u) => (u.result as { attempt: number }).attempt)).toEqual([1, 1, 2, 2]);
    expect(next.store.get(job.id)).toMatchObject({ attempts: 2, interruptions: 1, result: { units: 4, resumed: true } });
  });

  it('jobs a dead process left running are marked interrupted on start and resumed', async () => {
    const g = gatedKind('slow', 1);
    const pool = new JobPool({ db, dataDir: dir, log: silent, kinds: [g.kind] });
    const job = pool.store.create('slow', { n: 1 }, 1);
    pool.store.start(job.id); // as if a server had picked it up and then died
    const fresh = new JobPool({ db, dataDir: dir, log: silent, kinds: [g.kind] });
    fresh.start();
    expect(fresh.store.get(job.id)!.interruptions).toBe(1);
    await g.release();
    await waitFor(() => fresh.store.get(job.id)!.status === 'succeeded');
    expect(fresh.store.get(job.id)!.attempts).toBe(2);
  });

  it('hands a resumed job the checkpoint its earlier run saved', async () => {
    const seen: unknown[] = [];
    const kind: JobKind<Record<string, never>> = {
      kind: 'counter',
      description: 'saves a checkpoint, then waits to be stopped',
      params: z.object({}),
      concurrency: 1,
      total: () => 0,
      async run(ctx) {
        seen.push(ctx.checkpoint);
        const at = ((ctx.checkpoint as { at?: number } | undefined)?.at ?? 0) + 1;
        ctx.saveCheckpoint({ at });
        if (at < 2) await new Promise((_, reject) => ctx.stopping.addEventListener('abort', () => reject(ctx.stopping.reason)));
        return { at };
      },
    };
    const pool = new JobPool({ db, dataDir: dir, log: silent, kinds: [kind] });
    pool.start();
    const job = pool.enqueue('counter', {});
    await waitFor(() => seen.length === 1);
    await pool.stop(1000);
    const next = new JobPool({ db, dataDir: dir, log: silent, kinds: [kind] });
    next.start();
    await waitFor(() => next.store.get(job.id)!.status === 'succeeded');
    expect(seen).toEqual([undefined, { at: 1 }]);
    expect(next.store.get(job.id)!.result).toEqual({ at: 2 });
  });

  it('refuses to record a finished unit twice', () => {
    const pool = new JobPool({ db, dataDir: dir, log: silent, kinds: [] });
    const job = pool.store.create('x', {}, 1);
    pool.store.saveUnit(job.id, 0, 'a');
    expect(() => pool.store.saveUnit(job.id, 0, 'b')).toThrow(/UNIQUE/);
  });
});
