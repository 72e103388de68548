import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A1111Engine } from '../../server/engines/a1111.ts';
import { ComfyUiEngine } from '../../server/engines/comfyui.ts';
import { createEnginePool } from '../../server/engines/config.ts';
import { ImageCache } from '../../server/engines/image-cache.ts';
import { EnginePool, type PoolEvent } from '../../server/engines/pool.ts';
import { seedsFor } from '../../server/engines/presets.ts';
import type { GenerationRequest, ResolvedRequest } from '../../server/engines/types.ts';
import { startA1111Server, type A1111Behaviour } from '../helpers/a1111-server.ts';
import { startComfyUiServer, type ComfyTestServer } from '../helpers/comfyui-server.ts';
import type { TestServer } from '../helpers/http-test-server.ts';
import { isPng } from '../helpers/png.ts';

const small = { width: 64, height: 64 };
const requests = (prompts: string[]): GenerationRequest[] =>
  prompts.flatMap((prompt) => seedsFor().map((seed) => ({ prompt, seed, model: 'sdxl' as const, ...small })));

let gpu1: ComfyTestServer;
let gpu2: ComfyTestServer;
let a1111: TestServer<A1111Behaviour>;
beforeAll(async () => {
  [gpu1, gpu2, a1111] = await Promise.all([startComfyUiServer(), startComfyUiServer(), startA1111Server()]);
});
afterAll(() => Promise.all([gpu1.close(), gpu2.close(), a1111.close()]));

const comfyPool = (options: ConstructorParameters<typeof EnginePool>[1] = {}, concurrency = 1) =>
  new EnginePool(
    [gpu1, gpu2].map((s) => ({ engine: new ComfyUiEngine({ url: s.url, pollMs: 2 }), concurrency })),
    { backoffMs: 1, ...options },
  );

describe('EnginePool', () => {
  it('spreads work evenly over several engine URLs, three seeds per prompt', async () => {
    const before = [gpu1.count('prompt'), gpu2.count('prompt')];
    // Three slots per URL: all six requests are placed before any finishes, least-loaded first.
    const pool = comfyPool({}, 3);
    const progress: number[] = [];
    const results = await pool.generateAll(requests(['a lighthouse at dusk', 'a bowl of ramen']), (done) => progress.push(done));
    expect(results).toHaveLength(6);
    expect(results.every((r) => isPng(r.bytes) && !r.cached && r.attempts === 1)).toBe(true);
    expect(results.map((r) => r.request.seed)).toEqual([0, 1, 2, 0, 1, 2]);
    expect([gpu1.count('prompt') - before[0]!, gpu2.count('prompt') - before[1]!]).toEqual([3, 3]);
    expect(pool.stats.perEngine).toEqual({ [gpu1.url]: { generated: 3, failed: 0 }, [gpu2.url]: { generated: 3, failed: 0 } });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('never runs more than the per-engine concurrency at once', async () => {
    let active = 0;
    let peak = 0;
    class Counting extends A1111Engine {
      override async generate(r: ResolvedRequest, signal?: AbortSignal) {
        peak = Math.max(peak, ++active);
        try {
          return await super.generate(r, signal);
        } finally {
          active--;
        }
      }
    }
    a1111.enqueue(...Array.from({ length: 8 }, (): A1111Behaviour => ({ route: 'txt2img', kind: 'default', delayMs: 20 })));
    const pool = new EnginePool([{ engine: new Counting({ url: a1111.url }), concurrency: 2 }]);
    await pool.generateAll(requests(['a', 'b', 'c']).slice(0, 8));
    expect(peak).toBe(2);
  });

  it('retries a retryable failure on the other URL and reports it', async () => {
    const [a, b] = await Promise.all([startComfyUiServer(), startComfyUiServer()]);
    try {
      const events: PoolEvent[] = [];
      const pool = new EnginePool([a, b].map((s) => ({ engine: new ComfyUiEngine({ url: s.url, pollMs: 2 }), concurrency: 1 })), { backoffMs: 1, onEvent: (e) => events.push(e) });
      // With both idle the first attempt goes to the first URL; it fails there and moves to the second.
      a.enqueue({ route: 'prompt', kind: 'error', status: 503 });
      const result = await pool.generate({ prompt: 'a quiet harbour', seed: 0, model: 'sdxl', ...small });
      expect(result).toMatchObject({ attempts: 2, url: b.url, cached: false });
      expect(events.filter((e) => e.type === 'retry')).toEqual([
        { type: 'retry', key: result.key, url: a.url, attempt: 1, error: expect.stringMatching(/HTTP 503/), waitMs: expect.any(Number) },
      ]);
      expect(pool.stats).toMatchObject({ retries: 1, generated: 1, failures: 0, perEngine: { [a.url]: { generated: 0, failed: 1 }, [b.url]: { generated: 1, failed: 0 } } });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('fails at once on a final error and after the retry budget on repeated ones', async () => {
    const [a, b] = await Promise.all([startComfyUiServer(), startComfyUiServer()]);
    try {
      const pool = new EnginePool([a, b].map((s) => ({ engine: new ComfyUiEngine({ url: s.url, pollMs: 2 }), concurrency: 1 })), { backoffMs: 1, retries: 2 });
      a.enqueue({ route: 'prompt', kind: 'error', status: 400, body: { error: { message: 'Value not in list' } } });
      await expect(pool.generate({ prompt: 'x', seed: 0, model: 'sdxl', ...small })).rejects.toThrow(/rejected the workflow/);
      expect(a.count('prompt') + b.count('prompt')).toBe(1);
      for (const s of [a, b]) s.enqueue(...Array.from({ length: 2 }, () => ({ route: 'prompt', kind: 'error', status: 500 }) as const));
      await expect(pool.generate({ prompt: 'z', seed: 0, model: 'sdxl', ...small })).rejects.toThrow(/HTTP 500.*\(gave up after 3 attempts\)/);
      expect(a.count('prompt') + b.count('prompt')).toBe(4);
      expect(pool.stats).toMatchObject({ failures: 2, retries: 2, generated: 0 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('generates nothing twice: a second run over the same cache makes no HTTP request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zipp-image-cache-'));
    const work = requests(['a paper boat on a pond', 'an old map of the stars']);
    const first = await comfyPool({ cache: new ImageCache(dir) }).generateAll(work);
    expect(first.every((r) => !r.cached && r.path && existsSync(r.path))).toBe(true);
    const seen = gpu1.requests.length + gpu2.requests.length;

    const second = comfyPool({ cache: new ImageCache(dir) });
    const again = await second.generateAll(work);
    expect(gpu1.requests.length + gpu2.requests.length).toBe(seen);
    expect(again.every((r) => r.cached && r.attempts === 0)).toBe(true);
    again.forEach((r, i) => {
      expect(r.key).toBe(first[i]!.key);
      expect(Buffer.from(r.bytes).equals(Buffer.from(first[i]!.bytes))).toBe(true);
    });
    expect(second.stats).toMatchObject({ requests: 6, cacheHits: 6, generated: 0 });
    // One PNG and one JSON record per image, under two-character shards.
    const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.includes('.'));
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(6);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(6);
  });

  it('shares one generation between identical requests in flight', async () => {
    const pool = comfyPool();
    const before = gpu1.count('prompt') + gpu2.count('prompt');
    const req = { prompt: 'twins', seed: 4, model: 'sdxl' as const, ...small };
    const [a, b] = await Promise.all([pool.generate(req), pool.generate({ ...req })]);
    expect(a.key).toBe(b.key);
    expect(gpu1.count('prompt') + gpu2.count('prompt') - before).toBe(1);
  });

  it('refuses engines that would draw different pictures for one key', () => {
    expect(() => new EnginePool([
      { engine: new ComfyUiEngine({ url: gpu1.url }), concurrency: 1 },
      { engine: new ComfyUiEngine({ url: gpu2.url, files: { sdxl: { checkpoint: 'other.safetensors' } } }), concurrency: 1 },
    ])).toThrow(/same kind with the same settings; .* differs/);
    expect(() => new EnginePool([{ engine: new ComfyUiEngine({ url: gpu1.url }), concurrency: 1 }, { engine: new A1111Engine({ url: a1111.url }), concurrency: 1 }])).toThrow(/same kind/);
    expect(() => new EnginePool([])).toThrow(/at least one engine URL/);
  });
});

describe('createEnginePool', () => {
  it('builds a cached pool from a validated config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zipp-image-cache-'));
    const pool = createEnginePool({ kind: 'a1111', urls: [a1111.url], cacheDir: dir, concurrency: 2 });
    const r = await pool.generate({ prompt: 'a kite', seed: 1, model: 'sd3', ...small });
    expect(r.path!.startsWith(dir)).toBe(true);
    expect(a1111.requests.at(-1)!.body).toMatchObject({ steps: 50, cfg_scale: 5 });
    expect(() => createEnginePool({ kind: 'comfyui', urls: [] })).toThrow();
    expect(() => createEnginePool({ kind: 'stable-horde', urls: [a1111.url] } as never)).toThrow();
  });
});
