import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { readSse, startTestZipp, waitUntil, type TestZipp } from '../helpers/server-app.ts';

let llm: OpenAiTestServer;
let zipp: TestZipp;

beforeAll(async () => {
  llm = await startOpenAiServer();
  zipp = await startTestZipp({ env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_API_KEY: 'sk-test', ZIPP_LLM_MODEL: 'zipp-test-model', ZIPP_LLM_MAX_RETRIES: '0' } });
});
afterAll(async () => {
  await zipp?.close();
  await llm?.close();
});

const PERSONA = 'You photograph lighthouses in the fog along the northern coast and love lighthouse history.';

describe('health and configuration', () => {
  it('answers health without a token and reports the LLM and the queue', async () => {
    const res = await fetch(`${zipp.url}/v1/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', version: '0.1.0', llm: { configured: true }, queue: { depth: 0, running: 0 } });
    expect(typeof body.encoder.loaded).toBe('boolean');
  });

  it('shows the configuration without the API key', async () => {
    const { status, body } = await zipp.json('GET', '/v1/config');
    expect(status).toBe(200);
    expect(body.llm).toEqual({ configured: true, model: 'zipp-test-model', baseUrl: llm.url, key: true });
    expect(JSON.stringify(body)).not.toContain('sk-test');
    expect(body.jobKinds).toContain('rewrite-batch');
  });

  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    const doc = await (await fetch(`${zipp.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    const rewrite = doc.paths['/v1/rewrite'].post;
    expect(rewrite.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['prompt'],
      additionalProperties: false,
      properties: { method: { enum: ['baseline', 'persona', 'fewshot', 'fewshot-baseline', 'retrieval'] } },
    });
    expect(doc.paths['/v1/jobs/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(doc.paths['/v1/health'].get.security).toEqual([]);
    expect(doc.components.responses.Error429.description).toMatch(/rate_limited/);
  });

  it('lists every route of the API in /openapi.json, and its response schemas accept the real answers', async () => {
    const doc = await (await fetch(`${zipp.url}/openapi.json`)).json();
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(routes.sort()).toEqual(
      [
        'GET /v1/health',
        'GET /v1/config',
        'POST /v1/rewrite',
        'POST /v1/rewrite/batch',
        'POST /v1/personas/infer',
        'POST /v1/personas/verbalize',
        'POST /v1/personas/questionnaire',
        'POST /v1/encoder/train',
        'GET /v1/encoder/models',
        'GET /v1/encoder/models/{id}',
        'GET /v1/encoder/models/{id}/{file}',
        'POST /v1/uploads',
        'GET /v1/jobs',
        'GET /v1/events',
        'GET /v1/jobs/{id}',
        'DELETE /v1/jobs/{id}',
        'GET /v1/jobs/{id}/units',
        'GET /v1/jobs/{id}/events',
        'POST /v1/bench',
        'GET /v1/bench/{id}/{file}',
      ].sort(),
    );
    // A JSON Schema validator other than zod reads the document the way a client generator would: each
    // response schema, with the document's components for its $refs.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validator = (method: string, route: string, status: number) => {
      const response = doc.paths[route][method].responses[String(status)];
      const resolved = response.$ref ? doc.components.responses[response.$ref.split('/').at(-1)] : response;
      return ajv.compile({ ...resolved.content['application/json'].schema, components: doc.components });
    };
    const check = (method: string, route: string, status: number, body: unknown) => {
      const valid = validator(method, route, status);
      expect(valid(body), `${method} ${route} ${status}: ${ajv.errorsText(valid.errors)}`).toBe(true);
    };

    const health = await (await fetch(`${zipp.url}/v1/health`)).json();
    check('get', '/v1/health', 200, health);
    check('get', '/v1/config', 200, (await zipp.json('GET', '/v1/config')).body);
    const rewrite = await zipp.json('POST', '/v1/rewrite', { prompt: 'a lighthouse at dusk', persona: PERSONA });
    expect(rewrite.status).toBe(200);
    check('post', '/v1/rewrite', 200, rewrite.body);
    const batch = await zipp.json('POST', '/v1/rewrite/batch', { items: [{ prompt: 'a fox', persona: PERSONA }] });
    expect(batch.status).toBe(202);
    check('post', '/v1/rewrite/batch', 202, batch.body);
    await waitUntil(async () => (await zipp.json('GET', `/v1/jobs/${batch.body.id}`)).body.status === 'succeeded');
    check('get', '/v1/jobs/{id}', 200, (await zipp.json('GET', `/v1/jobs/${batch.body.id}`)).body);
    check('get', '/v1/jobs', 200, (await zipp.json('GET', '/v1/jobs')).body);
    check('get', '/v1/jobs/{id}/units', 200, (await zipp.json('GET', `/v1/jobs/${batch.body.id}/units`)).body);
    const bad = await zipp.json('POST', '/v1/rewrite', { prompt: 'a dog', colour: 'red' });
    expect(bad.status).toBe(400);
    check('post', '/v1/rewrite', 400, bad.body);

    // The schemas are not open ended: an answer of another shape is refused.
    expect(validator('get', '/v1/health', 200)({ ...health, status: 'down' })).toBe(false);
    expect(validator('get', '/v1/jobs', 200)({ jobs: [{ id: 'job_x' }] })).toBe(false);
  });
});

describe('POST /v1/rewrite', () => {
  it('rewrites with the persona through the real LLM client and answers like zipp rewrite --json', async () => {
    const { status, body } = await zipp.json('POST', '/v1/rewrite', { prompt: 'a dog in a park', persona: PERSONA });
    expect(status).toBe(200);
    expect(body).toMatchObject({ method: 'persona', model: 'zipp-test-model', guard: 'passed' });
    expect(body.rewritten).toMatch(/dog/);
    expect(body.rewritten).toMatch(/lighthouse/);
    expect(body.template).toMatch(/@\d+$/);
    expect(body.usage.requests).toBe(1);
    const sent = llm.chatBodies().at(-1)!;
    expect(JSON.stringify(sent.messages)).toContain('lighthouses');
  });

  it('sends a restart event before the subject guard asks again: deltas after it are the answer that counts', async () => {
    llm.enqueue({ kind: 'drop-subject' });
    const res = await zipp.call('POST', '/v1/rewrite?stream=true', { prompt: 'a red bicycle by a canal', persona: PERSONA });
    const events = await readSse(res);
    const restart = events.findIndex((e) => e.event === 'restart');
    expect(restart).toBeGreaterThan(0);
    expect(events[restart]!.data).toEqual({ attempt: 2 });
    const result = events.at(-1)!;
    expect(result.event).toBe('result');
    expect(result.data.usage.requests).toBe(2);
    const after = events.slice(restart + 1).filter((e) => e.event === 'delta').map((e) => e.data.text).join('');
    expect(after).toBe(result.data.rewritten);
  });

  it('streams deltas then the result as server-sent events', async () => {
    const res = await zipp.call('POST', '/v1/rewrite?stream=true', { prompt: 'a red bicycle', persona: PERSONA });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await readSse(res);
    const deltas = events.filter((e) => e.event === 'delta');
    expect(deltas.length).toBeGreaterThan(1);
    const result = events.at(-1)!;
    expect(result.event).toBe('result');
    expect(result.data.rewritten).toMatch(/bicycle/);
    expect(deltas.map((d) => d.data.text).join('')).toContain('red bicycle');
  });

  it('reports an LLM failure as 502 with the client\'s one-line message', async () => {
    llm.enqueue({ kind: 'error', status: 400, message: 'context length exceeded' });
    const { status, body } = await zipp.json('POST', '/v1/rewrite', { prompt: 'a cat', method: 'baseline' });
    expect(status).toBe(502);
    expect(body.error.code).toBe('llm_error');
    expect(body.error.message).toMatch(/refused the request .*context length exceeded/);
  });

  it('reports a key the LLM rejects as the server\'s configuration (503), with the fix', async () => {
    llm.enqueue({ kind: 'error', status: 401 });
    const { status, body } = await zipp.json('POST', '/v1/rewrite', { prompt: 'a cat', method: 'baseline' });
    expect(status).toBe(503);
    expect(body.error.code).toBe('llm_not_configured');
    expect(body.error.message).toMatch(/API key .*ZIPP_LLM_API_KEY/);
  });

  it('turns the core\'s input errors into a 400 naming the field', async () => {
    const { status, body } = await zipp.json('POST', '/v1/rewrite', { prompt: 'a cat', method: 'fewshot', persona: PERSONA });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_request', field: 'history' });
  });
});

describe('idempotency keys', () => {
  it('replays the stored answer for a retried POST instead of calling the LLM again', async () => {
    const before = llm.chatBodies().length;
    const headers = { 'idempotency-key': 'retry-1' };
    const first = await zipp.json('POST', '/v1/rewrite', { prompt: 'a lighthouse at dusk', persona: PERSONA }, headers);
    const again = await zipp.json('POST', '/v1/rewrite', { prompt: 'a lighthouse at dusk', persona: PERSONA }, headers);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(llm.chatBodies().length - before).toBe(1);
    const other = await zipp.json('POST', '/v1/rewrite', { prompt: 'something else' }, headers);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('rewrite batches as durable jobs', () => {
  it('runs a batch, streams its progress and stores one unit per item', async () => {
    const items = ['a red fox', 'an old bridge', 'a bowl of ramen'].map((prompt) => ({ prompt, persona: PERSONA }));
    const created = await zipp.json('POST', '/v1/rewrite/batch', { items, concurrency: 1 }, { 'idempotency-key': 'batch-1' });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/v1/jobs/${created.body.id}`);
    const again = await zipp.json('POST', '/v1/rewrite/batch', { items, concurrency: 1 }, { 'idempotency-key': 'batch-1' });
    expect(again.body.id).toBe(created.body.id); // a retried POST does not start a second job

    const events = await readSse(await zipp.call('GET', `/v1/jobs/${created.body.id}/events`));
    const last = events.at(-1)!.data;
    expect(last.status).toBe('succeeded');
    expect(last.result).toEqual({ items: 3, succeeded: 3, failed: 0 });
    expect(events.some((e) => e.data.status === 'running')).toBe(true);

    const units = await zipp.json('GET', `/v1/jobs/${created.body.id}/units`);
    expect(units.body.total).toBe(3);
    expect(units.body.units.map((u: any) => u.result.result.rewritten.split(',')[0])).toEqual(['a red fox', 'an old bridge', 'a bowl of ramen']);

    const list = await zipp.json('GET', '/v1/jobs?kind=rewrite-batch&status=succeeded');
    expect(list.body.jobs.map((j: any) => j.id)).toContain(created.body.id);
  });

  it('records a failed item and finishes the rest', async () => {
    llm.enqueue({ kind: 'unknown-model' });
    const created = await zipp.json('POST', '/v1/rewrite/batch', { items: [{ prompt: 'a tree' }, { prompt: 'a boat' }], concurrency: 1 });
    const job = await waitUntil(async () => {
      const j = (await zipp.json('GET', `/v1/jobs/${created.body.id}`)).body;
      return j.status === 'succeeded' ? j : undefined;
    });
    expect(job.result).toMatchObject({ items: 2, failed: 1, succeeded: 1 });
    const units = (await zipp.json('GET', `/v1/jobs/${created.body.id}/units`)).body.units;
    expect(units[0].result).toMatchObject({ ok: false, error: { code: 'llm_not_configured', message: expect.stringMatching(/model/) } });
  });

  it('cancels a running job (202) and refuses to cancel a finished one (409)', async () => {
    llm.enqueue({ kind: 'hang' });
    const created = await zipp.json('POST', '/v1/rewrite/batch', { items: [{ prompt: 'a slow snail' }], concurrency: 1 });
    await waitUntil(async () => ((await zipp.json('GET', `/v1/jobs/${created.body.id}`)).body.status === 'running' ? true : undefined));
    const cancel = await zipp.json('DELETE', `/v1/jobs/${created.body.id}`);
    expect(cancel.status).toBe(202);
    const job = await waitUntil(async () => {
      const j = (await zipp.json('GET', `/v1/jobs/${created.body.id}`)).body;
      return j.status === 'cancelled' ? j : undefined;
    });
    expect(job.error.code).toBe('cancelled');
    const again = await zipp.json('DELETE', `/v1/jobs/${created.body.id}`);
    expect(again.status).toBe(409);
  });
});

describe('uploads', () => {
  it('streams a file to the data directory and reports its size and hash', async () => {
    const text = 'user,community,posts,comments\n' + 'u1,analog,3,4\n'.repeat(5000);
    const res = await zipp.call('POST', '/v1/uploads?name=interactions.csv', text, { 'content-type': 'text/csv' });
    expect(res.status).toBe(201);
    const info = await res.json();
    expect(info).toMatchObject({ name: 'interactions.csv', bytes: Buffer.byteLength(text) });
    const { createHash } = await import('node:crypto');
    expect(info.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });
});

describe('personas', () => {
  it('verbalizes a persona from communities and texts through the shared pipeline, using the weights given', async () => {
    const { status, body } = await zipp.json('POST', '/v1/personas/verbalize', {
      communities: [
        { name: 'analog', comments: 30 },
        { name: 'r/Hiking', posts: 2, comments: 5 },
      ],
      weights: [
        { name: 'analog', weight: 0.8 },
        { name: 'hiking', weight: 0.2 },
      ],
      texts: [
        { community: 'analog', text: 'Shot a roll of Portra 400 at the harbour this morning, the grain is lovely', score: 12 },
        { community: 'hiking', text: 'The ridge trail above the lake was muddy but the view made up for it', score: 4 },
      ],
    });
    expect(status).toBe(200);
    expect(body.text).toMatch(/^You /);
    expect(body.template).toMatch(/^persona-from-texts@\d+$/);
    expect(body.importance).toBe('weights');
    expect(body.evidence.communities).toEqual([
      { name: 'analog', weight: 0.8 },
      { name: 'hiking', weight: 0.2 },
    ]);
    expect(body.evidence.items.map((i: any) => i.community)).toEqual(expect.arrayContaining(['analog', 'hiking']));
    expect(JSON.stringify(llm.chatBodies().at(-1)!.messages)).toContain('Portra 400');
  });

  it('writes a persona from the intake questionnaire', async () => {
    const answers = {
      ageRange: '25-34',
      gender: 'prefer-not-to-say',
      region: 'Northern Europe',
      profession: 'ferry engineer',
      education: 'masters',
      hobbies: ['sailing', 'film photography'],
      topics: 'maritime history, weather',
      socialEnergy: 'neither',
      personalityWords: ['curious', 'patient', 'practical'],
      typicalWeekend: 'out on a small boat, then developing film at home',
    };
    const { status, body } = await zipp.json('POST', '/v1/personas/questionnaire', { answers });
    expect(status).toBe(200);
    expect(body.template).toMatch(/^persona-from-questionnaire@\d+$/);
    expect(JSON.stringify(llm.chatBodies().at(-1)!.messages)).toContain('ferry engineer');
    const bad = await zipp.json('POST', '/v1/personas/questionnaire', { answers: { ...answers, ageRange: '12' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('answers.ageRange');
  });
});

describe('CORS', () => {
  const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
  it('answers only the configured origins, preflight included', async () => {
    const withCors = await startTestZipp({ config: { corsOrigins: [EXTENSION] } });
    try {
      const preflight = (origin: string) =>
        fetch(`${withCors.url}/v1/rewrite`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        });
      const allowed = await preflight(EXTENSION);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(EXTENSION);
      expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      const other = await preflight('https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();

      const get = await withCors.call('GET', '/v1/jobs', undefined, { origin: EXTENSION });
      expect(get.headers.get('access-control-allow-origin')).toBe(EXTENSION);
      const foreign = await withCors.call('GET', '/v1/jobs', undefined, { origin: 'https://evil.example' });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      // Without --cors, no origin gets CORS headers at all.
      const plain = await zipp.call('GET', '/v1/jobs', undefined, { origin: EXTENSION });
      expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await withCors.close();
    }
  });
});

describe('Host check of a server bound to the network (DNS rebinding)', () => {
  /** GET /v1/health on 127.0.0.1:port with the given Host header (fetch would send the URL's own). */
  const getWithHost = (port: number, host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/health', headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });

  it('answers under its addresses and the machine\'s name without --allowed-host, and refuses other names', async () => {
    const open = await startTestZipp({ config: { host: '0.0.0.0' } });
    try {
      const port = open.server.port;
      const addresses = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
      const own = [...addresses.map((a) => (a.includes(':') ? `[${a}]` : a)), os.hostname(), 'localhost'];
      for (const name of own) expect([name, await getWithHost(port, `${name}:${port}`)]).toEqual([name, 200]);
      for (const name of ['attacker.example', `${os.hostname()}.attacker.example`]) expect([name, await getWithHost(port, `${name}:${port}`)]).toEqual([name, 403]);
    } finally {
      await open.close();
    }
    const named = await startTestZipp({ config: { host: '0.0.0.0', allowedHosts: ['zipp.lab.example'] } });
    try {
      expect(await getWithHost(named.server.port, 'zipp.lab.example')).toBe(200);
      expect(await getWithHost(named.server.port, 'attacker.example')).toBe(403);
    } finally {
      await named.close();
    }
  });
});

describe('POST /v1/personas/infer (the shipped encoder on onnxruntime-node)', () => {
  const USERS = JSON.parse(readFileSync(new URL('../fixtures/server/users.json', import.meta.url), 'utf8')) as { communities: { name: string; comments: number }[] }[];

  it('ranks a user\'s communities by attention and returns the embedding', async () => {
    const { status, body } = await zipp.json('POST', '/v1/personas/infer', {
      communities: [
        { name: 'analog', comments: 40 },
        { name: 'r/photography', posts: 3, comments: 22 },
        { name: 'hiking', comments: 8 },
        { name: 'zzz-not-a-real-community', comments: 1 },
      ],
      suggest: 5,
    });
    expect(status).toBe(200);
    const attention = body.communities.map((c: any) => c.attention);
    expect(attention.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    expect([...attention].sort((a, b) => b - a)).toEqual(attention);
    expect(body.communities.map((c: any) => c.name).sort()).toEqual(['analog', 'hiking', 'photography', 'zzz-not-a-real-community']);
    expect(body.communities.find((c: any) => c.name === 'zzz-not-a-real-community').known).toBe(false);
    expect(body.communities.find((c: any) => c.name === 'photography')).toMatchObject({ known: true, posts: 3, comments: 22 });
    const norm = Math.hypot(...body.embedding);
    expect(norm).toBeCloseTo(1, 3);
    expect(body.suggestions).toHaveLength(5);
    expect(body.suggestions.map((s: any) => s.name)).not.toContain('analog');
  });

  it('gives each of many concurrent requests its own answer (micro-batched into shared model calls)', async () => {
    const one = async (u: (typeof USERS)[number]) => (await zipp.json('POST', '/v1/personas/infer', { communities: u.communities })).body;
    const sequential: any[] = [];
    for (const u of USERS) sequential.push(await one(u));
    const concurrent = await Promise.all(USERS.map(one));
    for (let i = 0; i < USERS.length; i++) {
      expect(concurrent[i].communities.map((c: any) => c.name)).toEqual(sequential[i].communities.map((c: any) => c.name));
      concurrent[i].embedding.forEach((v: number, j: number) => expect(v).toBeCloseTo(sequential[i].embedding[j], 4));
    }
  });

  it('takes community names of any source (Last.fm artists): Reddit\'s name rule is not the API\'s', async () => {
    const { status, body } = await zipp.json('POST', '/v1/personas/infer', { communities: [{ name: "Guns N' Roses", comments: 12 }, { name: 'The Beatles', comments: 3 }, { name: 'analog', comments: 5 }] });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.communities.map((c: any) => c.name).sort()).toEqual(['analog', "guns n' roses", 'the beatles']);
    expect(body.communities.find((c: any) => c.name === "guns n' roses").known).toBe(false);
    const persona = await zipp.json('POST', '/v1/personas/verbalize', { communities: [{ name: "Guns N' Roses", comments: 12 }, { name: 'The Beatles', comments: 3 }], weights: [{ name: "Guns N' Roses", weight: 0.7 }, { name: 'the beatles', weight: 0.3 }] });
    expect(persona.status, JSON.stringify(persona.body)).toBe(200);
    expect(persona.body.evidence.communities.map((c: any) => c.name)).toEqual(["guns n' roses", 'the beatles']);
    // What no source's name holds is still refused, naming the entry.
    const bad = await zipp.json('POST', '/v1/personas/infer', { communities: [{ name: 'ding\u0007dong', comments: 1 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field, JSON.stringify(bad.body)).toBe('communities.0.name');
    expect(bad.body.error.message).toMatch(/control characters/);
  });

  it('verbalizes with the encoder\'s attention when no weights are given', async () => {
    const { status, body } = await zipp.json('POST', '/v1/personas/verbalize', { communities: [{ name: 'analog', comments: 40 }, { name: 'hiking', comments: 8 }] });
    expect(status).toBe(200);
    expect(body.importance).toBe('encoder');
    const weights = body.evidence.communities.map((c: any) => c.weight);
    expect(weights.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 3);
  });
});

describe('encoder training from an upload', () => {
  it('uploads interactions, trains as a job, lists the model and serves its files for the extension', { timeout: 90_000 }, async () => {
    const csv = readFileSync(new URL('../fixtures/server/interactions-small.csv', import.meta.url));
    const upload = await (await zipp.call('POST', '/v1/uploads?name=interactions.csv', csv.toString('utf8'), { 'content-type': 'text/csv' })).json();
    const created = await zipp.json('POST', '/v1/encoder/train', {
      interactions: { upload: upload.id },
      config: { epochs: 2, hidden: 16, batchSize: 64, seed: 5 },
      minCommunityUsers: 1,
      minCommunityActivity: 0,
    });
    expect(created.status).toBe(202);
    const events = await readSse(await zipp.call('GET', `/v1/jobs/${created.body.id}/events`));
    const job = events.at(-1)!.data;
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(job.result).toMatchObject({ model: created.body.id, epochsRun: 2, vocabulary: 60 });
    expect(job.result.evaluation.encoder.mrr).toBeGreaterThan(0);
    expect(events.some((e) => /epoch 1\/2/.test(e.data.progress.message ?? ''))).toBe(true);

    const list = await zipp.json('GET', '/v1/encoder/models');
    expect(list.body.models.map((m: any) => m.id)).toContain(created.body.id);
    const model = await zipp.json('GET', `/v1/encoder/models/${created.body.id}`);
    expect(model.body.communities).toBe(60);
    expect(model.body.files.map((f: any) => f.name)).toEqual(expect.arrayContaining(['encoder.onnx', 'vocabulary.json', 'community-embeddings.bin']));
    const vocabulary = await zipp.call('GET', `/v1/encoder/models/${created.body.id}/vocabulary.json`);
    expect(vocabulary.headers.get('content-type')).toMatch(/application\/json/);
    expect((await vocabulary.json()).communities.names).toHaveLength(60);
  });
});

describe('encoder training on non-Reddit names', () => {
  // interactions-small.csv with every other community renamed the way Last.fm names artists.
  const csv = readFileSync(new URL('../fixtures/server/interactions-small.csv', import.meta.url), 'utf8');
  const names = [...new Set(csv.trim().split('\n').slice(1).map((l) => l.split(',')[1]!))].sort();
  const renamed = new Map(names.filter((_, i) => i % 2 === 0).map((n) => [n, `The ${n}'s Band`]));
  const artists = csv.replace(/^([^,\n]+),([^,\n]+),/gm, (line, user: string, community: string) => (renamed.has(community) ? `${user},${renamed.get(community)},` : line));

  const train = async (redditNames?: boolean) => {
    const upload = await (await zipp.call('POST', '/v1/uploads?name=artists.csv', artists, { 'content-type': 'text/csv' })).json();
    const created = await zipp.json('POST', '/v1/encoder/train', {
      interactions: { upload: upload.id },
      config: { epochs: 1, hidden: 16, batchSize: 64, seed: 5 },
      minCommunityUsers: 1,
      minCommunityActivity: 0,
      skipEvaluation: true,
      ...(redditNames === undefined ? {} : { redditNames }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const job = (await readSse(await zipp.call('GET', `/v1/jobs/${created.body.id}/events`))).at(-1)!.data;
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    return (await (await zipp.call('GET', `/v1/encoder/models/${created.body.id}/vocabulary.json`)).json()).communities.names as string[];
  };

  it('keeps them by default (a CSV is no Reddit source), and drops them with redditNames as zipp encoder train --reddit-names does', { timeout: 90_000 }, async () => {
    expect(renamed.size).toBeGreaterThan(10);
    const kept = await train();
    expect(kept).toHaveLength(names.length);
    for (const artist of renamed.values()) expect(kept).toContain(artist.toLowerCase());
    const reddit = await train(true);
    expect(reddit.sort()).toEqual(names.filter((n) => !renamed.has(n)).map((n) => n.toLowerCase()).sort());
  });
});

describe('request timeout', () => {
  it('answers 504 when the LLM does not answer in time, and gives up the LLM call', async () => {
    const quick = await startTestZipp({
      env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_API_KEY: 'sk-test', ZIPP_LLM_MAX_RETRIES: '0' },
      config: { requestTimeoutMs: 300 },
    });
    try {
      llm.enqueue({ kind: 'hang' });
      const started = Date.now();
      const { status, body } = await quick.json('POST', '/v1/rewrite', { prompt: 'a slow tortoise', method: 'baseline' });
      expect(status).toBe(504);
      expect(body.error, JSON.stringify(body)).toMatchObject({ code: 'timeout', message: expect.stringMatching(/--request-timeout/) });
      expect(Date.now() - started).toBeLessThan(5000);
      // The server is free for the next request at once.
      expect((await quick.json('POST', '/v1/rewrite', { prompt: 'a quick hare', method: 'baseline' })).status).toBe(200);
    } finally {
      await quick.close();
    }
  });
});
