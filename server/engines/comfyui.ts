import { randomUUID } from 'node:crypto';
import { baseUrl, request, requestJson } from './http.ts';
import { builtinWorkflow, DEFAULT_MODEL_FILES, fillWorkflow, outputNode, type ApiWorkflow } from './comfyui-workflow.ts';
import type { ModelPresetName } from './presets.ts';
import { EngineError, sniffImage, type EngineImage, type ImageEngine, type ResolvedRequest } from './types.ts';

export interface ComfyUiOptions {
  url: string;
  /** Per model: a workflow to use instead of the built-in template (see comfyui-workflow.ts). */
  workflows?: Partial<Record<ModelPresetName, ApiWorkflow>>;
  /** Per model: model file names overriding DEFAULT_MODEL_FILES, e.g. { checkpoint: 'sdxl.safetensors' }. */
  files?: Partial<Record<ModelPresetName, Record<string, string>>>;
  /** How often to ask /history whether the prompt finished (default 500 ms). */
  pollMs?: number;
  /** Give up on one image after this long, queueing included (default 15 minutes). */
  timeoutMs?: number;
  /** Per HTTP call (default 60 s). */
  requestTimeoutMs?: number;
}

interface HistoryEntry {
  status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
  outputs?: Record<string, { images?: { filename: string; subfolder?: string; type?: string }[] }>;
}

/**
 * ComfyUI over its HTTP API: POST /prompt queues the filled workflow, GET /history/{prompt_id} is polled
 * until the run completes, GET /view fetches the saved image.
 */
export class ComfyUiEngine implements ImageEngine {
  readonly kind = 'comfyui';
  readonly url: string;
  private readonly clientId = randomUUID();

  constructor(private readonly options: ComfyUiOptions) {
    this.url = baseUrl(options.url, 'ComfyUI');
  }

  private workflow(model: ModelPresetName): ApiWorkflow {
    return this.options.workflows?.[model] ?? builtinWorkflow(model);
  }

  private files(model: ModelPresetName): Record<string, string> {
    return { ...DEFAULT_MODEL_FILES[model], ...this.options.files?.[model] };
  }

  identity(model: ModelPresetName): Record<string, unknown> {
    return { workflow: this.workflow(model), files: this.files(model) };
  }

  async generate(r: ResolvedRequest, signal?: AbortSignal): Promise<EngineImage> {
    const workflow = fillWorkflow(this.workflow(r.model), r, this.files(r.model));
    const timeoutMs = this.options.requestTimeoutMs ?? 60_000;
    const deadline = Date.now() + (this.options.timeoutMs ?? 15 * 60_000);
    const queued = await requestJson<{ prompt_id?: string; node_errors?: Record<string, unknown> }>(`${this.url}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: workflow, client_id: this.clientId }),
      timeoutMs,
      what: `ComfyUI ${this.url} /prompt`,
      signal,
    }).catch((err: unknown) => {
      // 400 means ComfyUI rejected the workflow (unknown node, missing model file): say which.
      if (err instanceof EngineError && err.status === 400) {
        throw new EngineError(`ComfyUI ${this.url} rejected the workflow: ${err.message.replace(/^.*HTTP 400 /, '')}`, false, 400);
      }
      throw err;
    });
    const id = queued.prompt_id;
    if (!id) throw new EngineError(`ComfyUI ${this.url} /prompt answered without a prompt_id`, true);

    const output = outputNode(workflow)!;
    for (;;) {
      const history = await requestJson<Record<string, HistoryEntry>>(`${this.url}/history/${encodeURIComponent(id)}`, {
        timeoutMs,
        what: `ComfyUI ${this.url} /history`,
        signal,
      });
      const entry = history[id];
      if (entry?.status?.status_str === 'error') {
        const failure = entry.status.messages?.find(([kind]) => kind === 'execution_error')?.[1];
        const reason = failure ? `${String(failure.node_type ?? '')}: ${String(failure.exception_message ?? '').trim()}` : 'execution error';
        throw new EngineError(`ComfyUI ${this.url} failed prompt ${id}: ${reason}`, true);
      }
      const images = entry?.outputs?.[output]?.images ?? Object.values(entry?.outputs ?? {}).find((o) => o.images?.length)?.images;
      if (entry?.status?.completed || images?.length) {
        const image = images?.[0];
        if (!image) throw new EngineError(`ComfyUI ${this.url} finished prompt ${id} without an image`, true);
        const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder ?? '', type: image.type ?? 'output' });
        const res = await request(`${this.url}/view?${query}`, { timeoutMs, what: `ComfyUI ${this.url} /view`, signal });
        return sniffImage(new Uint8Array(await res.arrayBuffer()), `ComfyUI ${this.url} /view`);
      }
      if (Date.now() > deadline) throw new EngineError(`ComfyUI ${this.url}: prompt ${id} not finished within ${this.options.timeoutMs ?? 900_000} ms`, true);
      await sleep(this.options.pollMs ?? 500, signal);
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
