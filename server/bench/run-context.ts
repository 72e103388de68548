import { addUsage, emptyUsage, type Usage } from '../../shared/schemas/llm.ts';
import type { BenchConfig } from './config.ts';
import type { BenchStore } from './store.ts';

/** The stages of a run, in order; progress reports one at a time. */
export type BenchStage = 'queries' | 'personas' | 'rewrites' | 'images' | 'texts' | 'metrics';

export interface BenchProgress {
  /** A stage begins with this many items. */
  stage(name: BenchStage, total: number): void;
  /** Items of the current stage finished so far. */
  update(done: number): void;
  log(line: string): void;
}

export const quietProgress: BenchProgress = { stage() {}, update() {}, log() {} };

/** What this invocation did (not what earlier ones did): zero everywhere on a rerun. */
export interface WorkDone {
  personas: { made: number; cached: number };
  rewrites: { made: number; cached: number };
  images: { generated: number; cached: number; embedded: number };
  texts: { embedded: number };
  metrics: { computed: number; cached: number };
  /** LLM usage of this invocation, per LLM name. */
  usage: Record<string, Usage>;
}

/** What every stage of a run shares. */
export class RunContext {
  readonly work: WorkDone = {
    personas: { made: 0, cached: 0 },
    rewrites: { made: 0, cached: 0 },
    images: { generated: 0, cached: 0, embedded: 0 },
    texts: { embedded: 0 },
    metrics: { computed: 0, cached: 0 },
    usage: {},
  };
  /** LLM usage of every unit the results rest on, made now or stored earlier, per LLM name. */
  readonly usage: Record<string, Usage> = {};

  constructor(
    readonly config: BenchConfig,
    readonly store: BenchStore,
    readonly progress: BenchProgress,
    /** Aborts requests in flight. */
    readonly signal: AbortSignal | undefined,
    /** Starts no new unit. */
    readonly stop: AbortSignal | undefined,
  ) {}

  /** Counts a unit's LLM usage towards the results, and towards this invocation when it was made now. */
  charge(llm: string, usage: Usage, fresh: boolean): void {
    this.usage[llm] = addUsage(this.usage[llm] ?? emptyUsage(), usage);
    if (fresh) this.work.usage[llm] = addUsage(this.work.usage[llm] ?? emptyUsage(), usage);
  }
}
