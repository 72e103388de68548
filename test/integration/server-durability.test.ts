import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basePromptOf, startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { spawnZipp, type ZippProcess } from '../helpers/server-process.ts';
import { waitUntil } from '../helpers/server-app.ts';

/**
 * The job system's promise, tested on the real `zipp serve` process: kill it with SIGKILL mid-job, start
 * it again on the same data directory, and nothing finished is lost or redone.
 */
let llm: OpenAiTestServer;
let dataDir: string;
let running: ZippProcess[] = [];

beforeAll(async () => {
  llm = await startOpenAiServer();
});
afterAll(async () => {
  await llm?.close();
});
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-durable-'));
  llm.reset();
});
afterEach(async () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  running = [];
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async () => {
  const p = await spawnZipp({ dataDir, env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_API_KEY: 'sk-test', ZIPP_LLM_MAX_RETRIES: '0' } });
  running.push(p);
  return p;
};

/** Every answer takes `ms`, so a batch is still running when the test pulls the plug. */
const slowAnswers = (ms: number) => llm.setResponder(undefined) ?? llm.enqueue(...Array.from({ length: 40 }, () => ({ kind: 'default' as const, delayMs: ms })));

const promptsAsked = () => llm.chatBodies().map((b) => basePromptOf(b as never)!);

describe('kill -9 during a rewrite batch', () => {
  it('resumes after restart: finished items are kept as they were and never sent to the LLM again', async () => {
    slowAnswers(120);
    const items = Array.from({ length: 8 }, (_, i) => ({ prompt: `item ${i} a lighthouse on a cliff`, method: 'baseline' as const }));
    const first = await start();
    const { body: job } = await first.json('POST', '/v1/rewrite/batch', { items, concurrency: 1 });
    await waitUntil(async () => ((await first.json('GET', `/v1/jobs/${job.id}`)).body.progress.done >= 3 ? true : undefined), 20_000, '3 items done');
    const before = (await first.json('GET', `/v1/jobs/${job.id}/units`)).body.units as { unit: number; result: unknown; finishedAt: string }[];
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const askedBeforeKill = promptsAsked();

    const second = await start();
    const done = await waitUntil(async () => {
      const j = (await second.json('GET', `/v1/jobs/${job.id}`)).body;
      return j.status === 'succeeded' ? j : undefined;
    }, 30_000, 'the resumed batch to finish');
    expect(done).toMatchObject({ attempts: 2, interruptions: 1, result: { items: 8, succeeded: 8, failed: 0 } });
    expect(second.logs.some((l) => l.msg === 'jobs interrupted by the previous server stop will resume' && l.jobs === 1)).toBe(true);

    const after = (await second.json('GET', `/v1/jobs/${job.id}/units`)).body.units as typeof before;
    expect(after.map((u) => u.unit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Nothing finished was lost: the units stored before the kill are there, unchanged.
    for (const unit of before) expect(after.find((u) => u.unit === unit.unit)).toEqual(unit);
    // Nothing finished was redone: each finished item reached the LLM exactly once.
    const asked = promptsAsked();
    for (const unit of before) expect(asked.filter((p) => p === items[unit.unit]!.prompt)).toHaveLength(1);
    // Only the item in flight at the kill (if any) was asked twice.
    expect(asked.length - items.length).toBeLessThanOrEqual(1);
    expect(askedBeforeKill.length - before.length).toBeLessThanOrEqual(1);
  });
});

describe('graceful shutdown (SIGTERM)', () => {
  it('lets in-flight work finish (a request, the batch item being rewritten), leaves the job interrupted, and resumes it on the next start', async () => {
    slowAnswers(250);
    const first = await start();
    const { body: job } = await first.json('POST', '/v1/rewrite/batch', {
      items: Array.from({ length: 4 }, (_, i) => ({ prompt: `item ${i} a quiet harbor`, method: 'baseline' })),
      concurrency: 1,
    });
    await waitUntil(async () => ((await first.json('GET', `/v1/jobs/${job.id}`)).body.status === 'running' ? true : undefined));
    const inFlight = first.json('POST', '/v1/rewrite', { prompt: 'a paper boat', method: 'baseline' });
    await waitUntil(() => (promptsAsked().includes('a paper boat') ? true : undefined), 5000, 'the request to reach the LLM');
    first.child.kill('SIGTERM');
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body.rewritten).toMatch(/paper boat/);
    expect(await first.exited).toBe(0);
    expect(first.logs.some((l) => l.msg === 'job interrupted by shutdown; it resumes on the next start')).toBe(true);

    const second = await start();
    const done = await waitUntil(async () => {
      const j = (await second.json('GET', `/v1/jobs/${job.id}`)).body;
      return j.status === 'succeeded' ? j : undefined;
    }, 20_000, 'the resumed job');
    expect(done).toMatchObject({ interruptions: 1, attempts: 2, result: { items: 4, succeeded: 4 } });
    // The item in flight at SIGTERM was finished and recorded during the shutdown: no item was asked twice.
    const asked = promptsAsked().filter((p) => p.startsWith('item '));
    expect(asked.sort()).toEqual(['item 0 a quiet harbor', 'item 1 a quiet harbor', 'item 2 a quiet harbor', 'item 3 a quiet harbor']);
  });
});

// kill -9 during a training job, at each named stage of an epoch: server-train-crash.test.ts.
