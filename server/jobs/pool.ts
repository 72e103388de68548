import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../runtime/logger.ts';
import type { Db } from '../db/database.ts';
import { JobEvents } from './events.ts';
import { jobError, type JobContext, type JobKind } from './kind.ts';
import type { Job, JobProgress } from '../../shared/api/jobs.ts';
import { JobStore } from './store.ts';

export interface JobPoolOptions {
  db: Db;
  kinds: JobKind<any>[];
  /** Directory under which each job gets jobs/<id>/ for its files (checkpoints, outputs). */
  dataDir: string;
  log: Logger;
  /** Per-kind limits overriding each kind's default concurrency. */
  concurrency?: Record<string, number>;
  /** How often progress may be written to SQLite per job (events go out on every update). */
  progressWriteMs?: number;
}

interface Running {
  job: Job;
  /** Hard stop: cancel, or a shutdown past its grace period. */
  controller: AbortController;
  /** Soft stop: the server is shutting down. */
  stopping: AbortController;
  done: Promise<void>;
}

/** Why a running job's signal was aborted. */
export type AbortReason = 'cancelled' | 'shutdown';

/**
 * Runs jobs from the SQLite queue with a concurrency limit per kind. The table is the queue: a job is
 * picked up by flipping its status to running in one statement, so a restarted server simply sees what is
 * left. Anything found `running` at start belonged to a dead process: it is marked interrupted and resumed.
 */
export class JobPool {
  readonly store: JobStore;
  readonly events = new JobEvents();
  private readonly kinds = new Map<string, JobKind<any>>();
  private readonly limits = new Map<string, number>();
  private readonly running = new Map<string, Running>();
  private closing = false;
  private readonly progressWriteMs: number;

  constructor(private readonly options: JobPoolOptions) {
    this.store = new JobStore(options.db);
    this.progressWriteMs = options.progressWriteMs ?? 250;
    for (const kind of options.kinds) {
      this.kinds.set(kind.kind, kind);
      this.limits.set(kind.kind, options.concurrency?.[kind.kind] ?? kind.concurrency);
    }
  }

  kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  hasKind(kind: string): boolean {
    return this.kinds.has(kind);
  }

  /** Marks jobs orphaned by a dead server as interrupted, then starts whatever may run. */
  start(): void {
    const orphans = this.store.interruptOrphans();
    if (orphans > 0) this.options.log.warn('jobs interrupted by the previous server stop will resume', { jobs: orphans });
    this.schedule();
  }

  /** Validates parameters (the caller already did, for a precise 400) and queues a job. */
  enqueue<P>(kindName: string, params: P): Job {
    const kind = this.kinds.get(kindName);
    if (!kind) throw new Error(`unknown job kind ${kindName}`);
    const job = this.store.create(kindName, params, kind.total(params));
    this.events.publish(job);
    queueMicrotask(() => this.schedule());
    return job;
  }

  /**
   * Cancels a job. Waiting jobs are cancelled at once; running ones are aborted and reach `cancelled` when
   * their handler returns. Returns the job as it stands, or undefined if there is no such job.
   */
  cancel(id: string): Job | undefined {
    if (this.store.cancelIfWaiting(id)) {
      const job = this.store.get(id)!;
      this.events.publish(job);
      return job;
    }
    const running = this.running.get(id);
    if (running) {
      this.store.requestCancel(id);
      running.controller.abort('cancelled' satisfies AbortReason);
    }
    return this.store.get(id);
  }

  runningCount(): number {
    return this.running.size;
  }

  /** Starts queued jobs up to each kind's limit. Cheap: called after every enqueue and every finish. */
  schedule(): void {
    if (this.closing) return;
    const busy = new Map<string, number>();
    for (const r of this.running.values()) busy.set(r.job.kind, (busy.get(r.job.kind) ?? 0) + 1);
    for (const job of this.store.runnable()) {
      const kind = this.kinds.get(job.kind);
      if (!kind) continue; // a kind this build does not have: leave it queued rather than fail it
      const n = busy.get(job.kind) ?? 0;
      if (n >= (this.limits.get(job.kind) ?? 1)) continue;
      if (!this.store.start(job.id)) continue;
      busy.set(job.kind, n + 1);
      this.launch(kind, this.store.get(job.id)!, job.status === 'interrupted' || job.attempts > 0);
    }
  }

  private launch(kind: JobKind<any>, job: Job, resumed: boolean): void {
    const controller = new AbortController();
    const stopping = new AbortController();
    const log = this.options.log.child({ job: job.id, kind: job.kind });
    let progress: JobProgress = job.progress;
    let lastWrite = 0;
    let pendingWrite: NodeJS.Timeout | undefined;
    const writeProgress = () => {
      pendingWrite = undefined;
      lastWrite = Date.now();
      this.store.setProgress(job.id, progress);
    };
    const publish = () => this.events.publish({ ...job, status: 'running', progress, updatedAt: new Date().toISOString() });
    const store = this.store;
    const jobDir = path.join(this.options.dataDir, 'jobs', job.id);

    const ctx: JobContext<unknown> = {
      job,
      params: job.params,
      signal: controller.signal,
      stopping: stopping.signal,
      resumed,
      checkpoint: store.checkpoint(job.id),
      saveCheckpoint: (c) => store.saveCheckpoint(job.id, c),
      progress: (update) => {
        progress = { ...progress, ...update };
        publish();
        if (pendingWrite) return;
        const wait = this.progressWriteMs - (Date.now() - lastWrite);
        if (wait <= 0) writeProgress();
        else pendingWrite = setTimeout(writeProgress, wait);
      },
      finishedUnits: () => store.finishedUnits(job.id),
      units: () => store.units(job.id, 0, Number.MAX_SAFE_INTEGER),
      saveUnit: (unit, result) => {
        this.options.db.transaction(() => {
          store.saveUnit(job.id, unit, result);
          progress = { ...progress, done: store.unitCount(job.id) };
          store.setProgress(job.id, progress);
        })();
        publish();
      },
      jobDir: () => (mkdirSync(jobDir, { recursive: true }), jobDir),
      log,
    };

    log.info(resumed ? 'job resumed' : 'job started', { attempt: job.attempts });
    publish();
    const done = (async () => {
      try {
        const parsed = kind.params.parse(job.params);
        const result = await kind.run({ ...ctx, params: parsed });
        if (controller.signal.aborted) throw controller.signal.reason;
        // A handler that returns during a shutdown has finished all its work: that is a success.
        if (pendingWrite) (clearTimeout(pendingWrite), writeProgress());
        store.finish(job.id, 'succeeded', { result });
        log.info('job succeeded');
      } catch (err) {
        if (pendingWrite) (clearTimeout(pendingWrite), writeProgress());
        const reason = controller.signal.aborted
          ? (controller.signal.reason as AbortReason)
          : stopping.signal.aborted
            ? ('shutdown' satisfies AbortReason)
            : undefined;
        if (reason === 'shutdown') {
          store.interrupt(job.id);
          log.warn('job interrupted by shutdown; it resumes on the next start');
        } else if (reason === 'cancelled') {
          store.finish(job.id, 'cancelled', { error: { code: 'cancelled', message: 'the job was cancelled' } });
          log.info('job cancelled');
        } else {
          const error = jobError(err);
          store.finish(job.id, 'failed', { error });
          log.error('job failed', { error });
        }
      } finally {
        this.running.delete(job.id);
        this.events.publish(store.get(job.id)!);
        this.schedule();
      }
    })();
    this.running.set(job.id, { job, controller, stopping, done });
  }

  /**
   * Stops taking jobs and asks the running ones to stop at their next safe point (finish the units in
   * flight, or reach the next checkpoint); after `graceMs` the ones still running are aborted. Either way
   * they are left `interrupted` and resume on the next start.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.closing = true;
    const all = [...this.running.values()];
    for (const r of all) r.stopping.abort('shutdown' satisfies AbortReason);
    const settled = (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        Promise.allSettled(all.map((r) => r.done)).then(() => clearTimeout(timer)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
      ]);
    };
    await settled(graceMs);
    const late = all.filter((r) => this.running.has(r.job.id));
    if (late.length === 0) return;
    this.options.log.warn('jobs did not stop within the shutdown grace period; aborting them', { jobs: late.map((r) => r.job.id) });
    for (const r of late) r.controller.abort('shutdown' satisfies AbortReason);
    await settled(2_000);
  }
}
