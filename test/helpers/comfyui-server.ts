import { createHash } from 'node:crypto';
import { keyedPng } from './png.ts';
import { startTestServer, type CommonBehaviour, type Scripted, type TestServer } from './http-test-server.ts';

/**
 * A ComfyUI stand-in speaking its HTTP API on 127.0.0.1:
 * - POST /prompt {prompt: <API-format workflow>, client_id} → {prompt_id, number, node_errors: {}}.
 *   Validated like ComfyUI: every node needs class_type and inputs, class types must be known, links must
 *   point at existing nodes, no "{{placeholder}}" may remain, and there must be an output node; otherwise
 *   400 {error: {type: "prompt_outputs_failed_validation", ...}, node_errors}.
 * - GET /history/{prompt_id} → {} while "running" (for `runningPolls` polls, default 1), then
 *   {id: {prompt, outputs: {<SaveImage id>: {images: [{filename, subfolder, type: "output"}]}},
 *   status: {status_str: "success", completed: true, messages}}}.
 * - GET /view?filename=&subfolder=&type= → the PNG (real bytes), 404 for unknown files.
 * The picture is derived from the whole submitted workflow (prompt, seed, steps, cfg, files...), so the
 * same workflow always yields the same bytes and any change yields different ones.
 *
 * Behaviours (`server.enqueue`), per route 'prompt' | 'history' | 'view':
 *   { route, kind: 'error', status, body? }   HTTP error          { route, kind: 'drop-connection' }
 *   { route, kind: 'hang' }                   never answers       { route: 'prompt', kind: 'execution-error' }
 *   the run fails: history reports status_str "error" with an execution_error message
 *   { route: 'view', kind: 'not-an-image' }   /view answers HTML instead of the PNG
 */
export type ComfyBehaviour = Scripted & (CommonBehaviour | { kind: 'execution-error' } | { kind: 'not-an-image' });

export interface ComfyTestServer extends TestServer<ComfyBehaviour> {
  /** Workflows accepted by /prompt, oldest first. */
  workflows(): Record<string, { class_type: string; inputs: Record<string, unknown> }>[];
}

const KNOWN_NODES = new Set([
  'CheckpointLoaderSimple', 'CLIPTextEncode', 'EmptyLatentImage', 'EmptySD3LatentImage', 'KSampler', 'VAEDecode', 'SaveImage',
  'PreviewImage', 'ModelSamplingSD3', 'TripleCLIPLoader', 'DualCLIPLoader', 'UNETLoader', 'VAELoader', 'FluxGuidance', 'ConditioningZeroOut',
]);

interface Job {
  workflow: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  pollsLeft: number;
  fail: boolean;
  file: string;
  outputNode: string;
}

/** `metadata`: write the workflow into each PNG's `prompt` and `workflow` text chunks, as ComfyUI's SaveImage does. */
export async function startComfyUiServer(options: { runningPolls?: number; metadata?: boolean } = {}): Promise<ComfyTestServer> {
  const jobs = new Map<string, Job>();
  const accepted: Job['workflow'][] = [];
  const files = new Map<string, Uint8Array>();
  let counter = 0;
  const server = await startTestServer<ComfyBehaviour>((app, t) => {
    app.post('/prompt', async (c) => {
      const { body, behaviour } = await t.enter(c, 'prompt');
      const answered = await t.common(c, behaviour);
      if (answered) return answered;
      const workflow = (body as { prompt?: unknown })?.prompt;
      const problem = validate(workflow);
      if (problem) {
        return c.json(
          {
            error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: problem, extra_info: {} },
            node_errors: {},
          },
          400,
        );
      }
      const wf = workflow as Job['workflow'];
      accepted.push(wf);
      const id = `${createHash('sha1').update(String(++counter)).digest('hex').slice(0, 8)}-test-prompt`;
      const outputNode = Object.keys(wf).find((k) => wf[k]!.class_type === 'SaveImage' || wf[k]!.class_type === 'PreviewImage')!;
      const file = `zipp_${String(counter).padStart(5, '0')}_.png`;
      files.set(file, keyedPng(JSON.stringify(wf), 32, 32, options.metadata ? { prompt: JSON.stringify(wf), workflow: JSON.stringify({ nodes: Object.keys(wf) }) } : {}));
      jobs.set(id, { workflow: wf, pollsLeft: options.runningPolls ?? 1, fail: behaviour?.kind === 'execution-error', file, outputNode });
      return c.json({ prompt_id: id, number: counter, node_errors: {} });
    });

    app.get('/history/:id', async (c) => {
      const { behaviour } = await t.enter(c, 'history');
      const answered = await t.common(c, behaviour);
      if (answered) return answered;
      const id = c.req.param('id');
      const job = jobs.get(id);
      if (!job || job.pollsLeft-- > 0) return c.json({});
      if (job.fail) {
        return c.json({
          [id]: {
            prompt: [counter, id, job.workflow, {}, [job.outputNode]],
            outputs: {},
            status: {
              status_str: 'error',
              completed: false,
              messages: [['execution_error', { prompt_id: id, node_id: '5', node_type: 'KSampler', exception_message: 'CUDA out of memory.\n', exception_type: 'torch.OutOfMemoryError' }]],
            },
          },
        });
      }
      return c.json({
        [id]: {
          prompt: [counter, id, job.workflow, {}, [job.outputNode]],
          outputs: { [job.outputNode]: { images: [{ filename: job.file, subfolder: '', type: 'output' }] } },
          status: { status_str: 'success', completed: true, messages: [['execution_start', { prompt_id: id }], ['execution_success', { prompt_id: id }]] },
        },
      });
    });

    app.get('/view', async (c) => {
      const { behaviour } = await t.enter(c, 'view');
      const answered = await t.common(c, behaviour);
      if (answered) return answered;
      if (behaviour?.kind === 'not-an-image') return c.html('<html><body>oops</body></html>');
      const bytes = files.get(c.req.query('filename') ?? '');
      if (!bytes || c.req.query('type') !== 'output') return c.text('404: Not Found', 404);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'image/png' });
    });
  });
  return {
    ...server,
    workflows: () => [...accepted],
  };
}

function validate(workflow: unknown): string | undefined {
  if (!workflow || typeof workflow !== 'object' || Array.isArray(workflow)) return 'prompt must be an object of nodes';
  const nodes = workflow as Record<string, { class_type?: unknown; inputs?: unknown }>;
  let hasOutput = false;
  for (const [id, n] of Object.entries(nodes)) {
    if (typeof n?.class_type !== 'string' || typeof n.inputs !== 'object' || n.inputs === null) return `node ${id} needs class_type and inputs`;
    if (!KNOWN_NODES.has(n.class_type)) return `node ${id}: unknown node type ${n.class_type}`;
    if (n.class_type === 'SaveImage' || n.class_type === 'PreviewImage') hasOutput = true;
    for (const [k, v] of Object.entries(n.inputs as Record<string, unknown>)) {
      if (typeof v === 'string' && /^\{\{\w+\}\}$/.test(v)) return `node ${id} input ${k} still holds the placeholder ${v}`;
      if (Array.isArray(v) && typeof v[0] === 'string' && !(v[0] in nodes)) return `node ${id} input ${k} links to missing node ${v[0]}`;
    }
  }
  return hasOutput ? undefined : 'Prompt has no outputs';
}
