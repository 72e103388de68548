import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { redact } from '../runtime/logger.ts';
import type { Job, JobError, JobProgress, JobStatus, JobUnit } from '../../shared/api/jobs.ts';

interface JobRow {
  id: string;
  kind: string;
  status: JobStatus;
  params: string;
  progress: string;
  checkpoint: string | null;
  result: string | null;
  error: string | null;
  attempts: number;
  interruptions: number;
  cancel_requested: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

const now = () => new Date().toISOString();

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    // Redacted on the way out too, for rows an older build stored (and its migration has not seen).
    params: redact(JSON.parse(row.params)),
    progress: JSON.parse(row.progress) as JobProgress,
    ...(row.result !== null ? { result: JSON.parse(row.result) } : {}),
    ...(row.error !== null ? { error: JSON.parse(row.error) as JobError } : {}),
    attempts: row.attempts,
    interruptions: row.interruptions,
    createdAt: row.created_at,
    ...(row.started_at ? { startedAt: row.started_at } : {}),
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    updatedAt: row.updated_at,
  };
}

/**
 * Every durable fact about jobs lives in SQLite through this class: each state change is one statement,
 * committed before the caller goes on, so a kill -9 at any point leaves a consistent table.
 */
export class JobStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO jobs (id, kind, status, params, progress, created_at, updated_at)
         VALUES (@id, @kind, 'queued', @params, @progress, @now, @now)`,
      ),
      get: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      start: db.prepare(
        `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, @now), updated_at = @now
         WHERE id = @id AND status IN ('queued', 'interrupted')`,
      ),
      progress: db.prepare('UPDATE jobs SET progress = @progress, updated_at = @now WHERE id = @id'),
      checkpoint: db.prepare('UPDATE jobs SET checkpoint = @checkpoint, updated_at = @now WHERE id = @id'),
      finish: db.prepare(
        `UPDATE jobs SET status = @status, result = @result, error = @error, finished_at = @now, updated_at = @now
         WHERE id = @id AND status = 'running'`,
      ),
      interrupt: db.prepare(
        `UPDATE jobs SET status = 'interrupted', interruptions = interruptions + 1, updated_at = @now WHERE id = @id AND status = 'running'`,
      ),
      interruptAll: db.prepare(
        `UPDATE jobs SET status = 'interrupted', interruptions = interruptions + 1, updated_at = @now WHERE status = 'running'`,
      ),
      cancelQueued: db.prepare(
        `UPDATE jobs SET status = 'cancelled', cancel_requested = 1, finished_at = @now, updated_at = @now
         WHERE id = @id AND status IN ('queued', 'interrupted')`,
      ),
      requestCancel: db.prepare(`UPDATE jobs SET cancel_requested = 1, updated_at = @now WHERE id = @id AND status = 'running'`),
      runnable: db.prepare(
        `SELECT * FROM jobs WHERE status IN ('queued', 'interrupted') ORDER BY created_at, rowid`,
      ),
      depth: db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'interrupted', 'running')`),
      saveUnit: db.prepare(
        'INSERT INTO job_units (job_id, unit, result, finished_at) VALUES (@jobId, @unit, @result, @now)',
      ),
      units: db.prepare('SELECT unit, result, finished_at FROM job_units WHERE job_id = ? ORDER BY unit LIMIT ? OFFSET ?'),
      unitIds: db.prepare('SELECT unit FROM job_units WHERE job_id = ?'),
      unitCount: db.prepare('SELECT COUNT(*) AS n FROM job_units WHERE job_id = ?'),
    };
  }

  /**
   * Queues a job. Secret fields in its parameters (keys, tokens, passwords) are stored as "[redacted]":
   * jobs take their credentials from the server's configuration when they run, never from a record that
   * GET /v1/jobs returns to every token holder.
   */
  create(kind: string, params: unknown, total = 0): Job {
    const id = `job_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    this.stmts.insert.run({ id, kind, params: JSON.stringify(redact(params)), progress: JSON.stringify({ done: 0, total }), now: now() });
    return this.get(id)!;
  }

  get(id: string): Job | undefined {
    const row = this.stmts.get.get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  /** Newest first, optionally filtered by status/kind; `before` pages on createdAt. */
  list(filter: { status?: JobStatus; kind?: string; limit: number; before?: string }): Job[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: filter.limit };
    if (filter.status) (where.push('status = @status'), (args.status = filter.status));
    if (filter.kind) (where.push('kind = @kind'), (args.kind = filter.kind));
    if (filter.before) (where.push('created_at < @before'), (args.before = filter.before));
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(args) as JobRow[]).map(toJob);
  }

  /** Jobs waiting to run, oldest first: new ones and those a stopped server cut off. */
  runnable(): Job[] {
    return (this.stmts.runnable.all() as JobRow[]).map(toJob);
  }

  /** Jobs queued or running: the health endpoint's queue depth. */
  depth(): number {
    return (this.stmts.depth.get() as { n: number }).n;
  }

  /** Moves a queued/interrupted job to running; false if someone else got there first or it was cancelled. */
  start(id: string): boolean {
    return this.stmts.start.run({ id, now: now() }).changes === 1;
  }

  setProgress(id: string, progress: JobProgress): void {
    this.stmts.progress.run({ id, progress: JSON.stringify(progress), now: now() });
  }

  checkpoint(id: string): unknown {
    const row = this.stmts.get.get(id) as JobRow | undefined;
    return row?.checkpoint ? JSON.parse(row.checkpoint) : undefined;
  }

  saveCheckpoint(id: string, checkpoint: unknown): void {
    this.stmts.checkpoint.run({ id, checkpoint: JSON.stringify(checkpoint), now: now() });
  }

  finish(id: string, status: 'succeeded' | 'failed' | 'cancelled', outcome: { result?: unknown; error?: JobError }): void {
    this.stmts.finish.run({
      id,
      status,
      result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
      error: outcome.error ? JSON.stringify(outcome.error) : null,
      now: now(),
    });
  }

  /** A running job cut off by a shutdown: it runs again (and resumes) on the next start. */
  interrupt(id: string): void {
    this.stmts.interrupt.run({ id, now: now() });
  }

  /** On start: whatever was `running` belonged to a server that is gone. Returns how many. */
  interruptOrphans(): number {
    return this.stmts.interruptAll.run({ now: now() }).changes;
  }

  /** Cancels a job that is not running yet; returns false when it is running (or finished). */
  cancelIfWaiting(id: string): boolean {
    return this.stmts.cancelQueued.run({ id, now: now() }).changes === 1;
  }

  requestCancel(id: string): void {
    this.stmts.requestCancel.run({ id, now: now() });
  }

  /** Records a finished unit. Throws if the unit was already recorded: finished work is never redone. */
  saveUnit(jobId: string, unit: number, result: unknown): void {
    this.stmts.saveUnit.run({ jobId, unit, result: JSON.stringify(result), now: now() });
  }

  finishedUnits(jobId: string): Set<number> {
    return new Set((this.stmts.unitIds.all(jobId) as { unit: number }[]).map((r) => r.unit));
  }

  unitCount(jobId: string): number {
    return (this.stmts.unitCount.get(jobId) as { n: number }).n;
  }

  units(jobId: string, offset: number, limit: number): JobUnit[] {
    return (this.stmts.units.all(jobId, limit, offset) as { unit: number; result: string; finished_at: string }[]).map((r) => ({
      unit: r.unit,
      result: JSON.parse(r.result),
      finishedAt: r.finished_at,
    }));
  }
}
