/**
 * A small implementation of Chrome's Prompt API (`LanguageModel`), installed by the e2e tests into the
 * extension's service worker and options page — Debian's chromium ships no built-in model. It follows the
 * documented shape (the explainer at github.com/webmachinelearning/prompt-api and Chrome's docs):
 * - `availability()` → "unavailable" | "downloadable" | "downloading" | "available";
 * - `params()` (extension contexts) → { defaultTopK, maxTopK, defaultTemperature, maxTemperature };
 * - `create({ initialPrompts, temperature, topK, expectedInputs, expectedOutputs, signal, monitor })`:
 *   temperature and topK together or not at all (TypeError otherwise); while the model is not on the
 *   device, `create` downloads it, dispatching `downloadprogress` events ({ loaded } from 0 to 1) to the
 *   monitor; a signal aborts with an "AbortError" DOMException;
 * - sessions: `prompt()`, `promptStreaming()` (a ReadableStream of new text per chunk), `inputUsage`,
 *   `inputQuota`, `destroy()`; an input over the quota fails with "QuotaExceededError".
 * Answers are derived from the request, like the OpenAI test server's: a prompt with a "Base prompt:"
 * line comes back with three words of the system prompt (the persona) added.
 *
 * `installLanguageModel` is serialised into the browser (page.addInitScript / worker.evaluate): it must
 * not close over anything. What the model saw is on `globalThis.__languageModel`.
 */
export interface FakeLanguageModelConfig {
  availability: 'unavailable' | 'downloadable' | 'downloading' | 'available';
  /** Milliseconds between download progress events (5 events: 0, .25, .5, .75, 1). */
  downloadStepMs?: number;
  /** Stop streaming after this many chunks, until aborted. */
  stallAfterChunks?: number;
  /** Make `create` fail with this DOMException. */
  failCreate?: { name: string; message: string };
  inputQuota?: number;
}

export interface FakeLanguageModelState {
  config: FakeLanguageModelConfig;
  sessions: { initialPrompts: { role: string; content: string }[]; temperature?: number; topK?: number; expectedOutputs?: unknown; prompts: string[]; destroyed: boolean }[];
  aborted: number;
  downloads: number;
}

export function installLanguageModel(config: FakeLanguageModelConfig): void {
  const state: FakeLanguageModelState = { config, sessions: [], aborted: 0, downloads: 0 };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const abortError = () => new DOMException('The operation was aborted.', 'AbortError');
  const STOP = new Set('a an the and or of in on at to for with by as is are you your it its this that who what where when from into over'.split(' '));
  const topWords = (text: string, n: number, exclude: Set<string>) => {
    const counts = new Map<string, number>();
    for (const w of text.toLowerCase().match(/[a-z][a-z'-]*[a-z]/g) ?? []) if (w.length > 3 && !STOP.has(w) && !exclude.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([w]) => w);
  };
  const answer = (system: string, input: string) => {
    if (/reply with one word/i.test(input)) return 'ready';
    const base = /^\s*base prompt:\s*(.+)$/im.exec(input)?.[1]?.trim();
    if (base === undefined) return 'You are someone who notices light and weather, and you like pictures that feel calm.';
    const style = topWords(system, 3, new Set(base.toLowerCase().split(/\W+/)));
    return `${base}, ${style.length ? style.join(', ') : 'soft natural light'}`;
  };
  const tokens = (s: string) => Math.ceil(s.length / 4);

  class Session {
    constructor(private readonly record: FakeLanguageModelState['sessions'][number]) {}
    get inputUsage() {
      return this.record.initialPrompts.reduce((n, p) => n + tokens(p.content), 0) + this.record.prompts.reduce((n, p) => n + tokens(p), 0);
    }
    get inputQuota() {
      return state.config.inputQuota ?? 6144;
    }
    private check(input: string, signal?: AbortSignal) {
      if (this.record.destroyed) throw new DOMException('The session was destroyed.', 'InvalidStateError');
      if (signal?.aborted) throw abortError();
      this.record.prompts.push(input);
      if (this.inputUsage > this.inputQuota) throw new DOMException('The input is too large.', 'QuotaExceededError');
      return answer(this.record.initialPrompts.find((p) => p.role === 'system')?.content ?? '', input);
    }
    async prompt(input: string, options: { signal?: AbortSignal } = {}) {
      const text = this.check(input, options.signal);
      await sleep(5);
      return text;
    }
    promptStreaming(input: string, options: { signal?: AbortSignal } = {}) {
      const text = this.check(input, options.signal);
      const chunks = text.match(/\S+\s*/g) ?? [];
      const signal = options.signal;
      return new ReadableStream<string>({
        async start(controller) {
          const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
          for (let i = 0; i < chunks.length; i++) {
            if (i === state.config.stallAfterChunks) {
              await aborted;
              state.aborted++;
              controller.error(abortError());
              return;
            }
            if (signal?.aborted) {
              state.aborted++;
              controller.error(abortError());
              return;
            }
            controller.enqueue(chunks[i]!);
            await sleep(10);
          }
          controller.close();
        },
      });
    }
    destroy() {
      this.record.destroyed = true;
    }
  }

  const LanguageModel = {
    async availability() {
      return state.config.availability;
    },
    async params() {
      return { defaultTopK: 3, maxTopK: 128, defaultTemperature: 1, maxTemperature: 2 };
    },
    async create(options: {
      initialPrompts?: { role: string; content: string }[];
      temperature?: number;
      topK?: number;
      expectedOutputs?: unknown;
      signal?: AbortSignal;
      monitor?: (m: EventTarget) => void;
    } = {}) {
      if ((options.temperature === undefined) !== (options.topK === undefined)) throw new TypeError('temperature and topK must be given together');
      if (state.config.availability === 'unavailable') throw new DOMException('The model is not available on this device.', 'NotSupportedError');
      const monitor = new EventTarget();
      options.monitor?.(monitor);
      if (state.config.availability !== 'available') {
        state.downloads++;
        state.config.availability = 'downloading';
        for (const loaded of [0, 0.25, 0.5, 0.75, 1]) {
          if (options.signal?.aborted) {
            state.config.availability = 'downloadable';
            throw abortError();
          }
          monitor.dispatchEvent(Object.assign(new Event('downloadprogress'), { loaded }));
          await sleep(state.config.downloadStepMs ?? 50);
        }
        state.config.availability = 'available';
      }
      if (options.signal?.aborted) throw abortError();
      if (state.config.failCreate) throw new DOMException(state.config.failCreate.message, state.config.failCreate.name);
      const record = {
        initialPrompts: options.initialPrompts ?? [],
        ...(options.temperature !== undefined ? { temperature: options.temperature, topK: options.topK } : {}),
        expectedOutputs: options.expectedOutputs,
        prompts: [] as string[],
        destroyed: false,
      };
      state.sessions.push(record);
      return new Session(record);
    },
  };
  Object.assign(globalThis, { LanguageModel, __languageModel: state });
}
