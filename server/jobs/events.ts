import { EventEmitter } from 'node:events';
import type { Job } from '../../shared/api/jobs.ts';

/**
 * In-process fan-out of job updates to SSE listeners (one job's stream, or every job for the dashboard).
 * Listeners get the whole job each time: a client that misses an event still ends up with the latest state.
 */
export class JobEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open SSE connection; many dashboards and clients may watch at once.
    this.emitter.setMaxListeners(0);
  }

  publish(job: Job): void {
    this.emitter.emit(`job:${job.id}`, job);
    this.emitter.emit('job', job);
  }

  /** Subscribes to one job (or every job when id is undefined); returns the unsubscribe function. */
  subscribe(id: string | undefined, listener: (job: Job) => void): () => void {
    const event = id === undefined ? 'job' : `job:${id}`;
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
