import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComfyUiServer, type ComfyTestServer } from '../helpers/comfyui-server.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { startTestZipp, type TestZipp } from '../helpers/server-app.ts';

/**
 * The study page is public, so what it accepts is bounded: JSON only, from its own origin, under its own
 * host name (no DNS rebinding), a limited number of joins per client and per study (each costs LLM calls);
 * and the trials stay blind: a participant sees only opaque ids of their own trials' images, which say
 * nothing about arms and open nothing of another participant's or study's. Real HTTP on 127.0.0.1.
 */
const fixtures = new URL('../fixtures/', import.meta.url);
const answers = JSON.parse(readFileSync(new URL('persona/questionnaire.json', fixtures), 'utf8')) as Record<string, string>;
let llm: OpenAiTestServer;
let comfy: ComfyTestServer;
let zipp: TestZipp;

const writeStudy = (z: TestZipp, id: string) => {
  const study = JSON.parse(readFileSync(new URL('bench/study.json', fixtures), 'utf8')) as { id: string; engines: { main: { urls: string[] } } };
  study.id = id;
  study.engines.main.urls = [comfy.url];
  mkdirSync(join(z.dataDir, 'studies'), { recursive: true });
  writeFileSync(join(z.dataDir, 'studies', `${id}.json`), JSON.stringify(study));
};

beforeAll(async () => {
  // As real ComfyUI: every PNG carries its workflow (the rendered prompt) in text chunks.
  [llm, comfy] = await Promise.all([startOpenAiServer(), startComfyUiServer({ runningPolls: 0, metadata: true })]);
  zipp = await startTestZipp({ env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model' }, config: { studyJoinsPerClient: 4 } });
  writeStudy(zipp, 'pilot');
  writeStudy(zipp, 'second');
});
afterAll(async () => {
  await zipp?.close();
  await Promise.all([llm?.close(), comfy?.close()]);
});

const join_ = (z: TestZipp, study: string, headers: Record<string, string> = {}, body: string = JSON.stringify({ answers })) =>
  fetch(`${z.url}/study/${study}/api/participants`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** A GET with a Host header of our choosing (fetch does not let one set it). */
const getWithHost = (url: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const req = http.get(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
  });

describe('joining a study', () => {
  it('needs a JSON body: a form post or text/plain is refused (415) before the LLM is asked', async () => {
    const asked = llm.chatBodies().length;
    const plain = await join_(zipp, 'pilot', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    const form = await join_(zipp, 'pilot', { 'content-type': 'application/x-www-form-urlencoded' }, 'answers=x');
    expect(form.status).toBe(415);
    expect(llm.chatBodies().length).toBe(asked);
  });

  it('refuses another origin, and a Host name that is not the server (DNS rebinding)', async () => {
    const cross = await join_(zipp, 'pilot', { origin: 'http://attacker.example' });
    expect(cross.status).toBe(403);
    expect((await cross.json()).error).toMatchObject({ code: 'forbidden_origin' });
    const port = new URL(zipp.url).port;
    expect(await getWithHost(`${zipp.url}/study/pilot`, `attacker.example:${port}`)).toBe(403);
    expect(await getWithHost(`${zipp.url}/v1/health`, 'attacker.example')).toBe(403);
    expect(await getWithHost(`${zipp.url}/study/pilot`, `localhost:${port}`)).toBe(200);
    // The page's own origin is fine.
    const same = await join_(zipp, 'pilot', { origin: zipp.url });
    expect(same.status).toBe(201);
  });

  it('is rate-limited per client (429 with Retry-After), and the refused joins cost no LLM call', async () => {
    // One join above already counted for this client (127.0.0.1); the limit is 4.
    for (let i = 0; i < 3; i++) expect((await join_(zipp, i % 2 ? 'second' : 'pilot')).status).toBe(201);
    const asked = llm.chatBodies().length;
    const refused = await join_(zipp, 'second');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused.json()).error.message).toMatch(/joins from this address/);
    expect(llm.chatBodies().length).toBe(asked);
  });

  it('is rate-limited per study, whoever joins', async () => {
    const small = await startTestZipp({ env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model' }, config: { studyJoinsPerStudy: 2 } });
    try {
      writeStudy(small, 'pilot');
      writeStudy(small, 'second');
      expect((await join_(small, 'pilot')).status).toBe(201);
      expect((await join_(small, 'pilot')).status).toBe(201);
      const refused = await join_(small, 'pilot');
      expect(refused.status).toBe(429);
      expect((await refused.json()).error.message).toMatch(/joins to study pilot/);
      expect((await join_(small, 'second')).status).toBe(201);
    } finally {
      await small.close();
    }
  });
});

describe('blind trials', () => {
  const next = async (study: string, participant: string) => (await fetch(`${zipp.url}/study/${study}/api/participants/${participant}/next`)).json();
  const participants = (study: string) => {
    const db = new Database(join(zipp.dataDir, 'study.db'), { readonly: true });
    const ids = (db.prepare('SELECT id FROM participants WHERE study = ? ORDER BY created_at').all(study) as { id: string }[]).map((r) => r.id);
    db.close();
    return ids;
  };

  it('show per-trial opaque image ids that open only that participant\'s own images in that study', async () => {
    const [p1, p2] = participants('pilot');
    const [s1] = participants('second');
    const t1 = await next('pilot', p1!);
    const t2 = await next('pilot', p2!);
    const u1 = await next('second', s1!);
    for (const t of [t1, t2, u1]) for (const id of [t.left, t.right]) expect(id).toMatch(/^img_[0-9a-f]{32}$/);
    // Same prompts, seeds and arms across participants and studies, yet no id is shared.
    const ids = [t1.left, t1.right, t2.left, t2.right, u1.left, u1.right];
    expect(new Set(ids).size).toBe(ids.length);

    const image = (study: string, participant: string, id: string) => fetch(`${zipp.url}/study/${study}/api/participants/${participant}/images/${id}`);
    const own = await image('pilot', p1!, t1.left);
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toMatch(/^image\//);
    // The engine wrote the rendered (rewritten) prompt into the PNG; the participant gets the pixels only.
    const bytes = Buffer.from(await own.arrayBuffer());
    expect(comfy.workflows().length).toBeGreaterThan(0);
    expect(bytes.includes('tEXt')).toBe(false);
    expect(bytes.includes('class_type')).toBe(false);
    expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(bytes.subarray(-8, -4).toString('latin1')).toBe('IEND');
    expect((await image('pilot', p2!, t1.left)).status).toBe(404);
    expect((await image('second', s1!, t1.left)).status).toBe(404);

    // Content hashes no longer open anything: the old by-key route is gone.
    const db = new Database(join(zipp.dataDir, 'study.db'), { readonly: true });
    const { a_image: key } = db.prepare('SELECT a_image FROM trials WHERE participant = ? AND a_image IS NOT NULL').get(p1!) as { a_image: string };
    db.close();
    expect((await fetch(`${zipp.url}/study/pilot/images/${key}`)).status).toBe(404);
  });
});

describe('security headers', () => {
  it('on the participant page, its script and the results page: CSP without inline script, no framing, no referrer, no sniffing', async () => {
    const page = await fetch(`${zipp.url}/study/pilot`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).not.toMatch(/default-src[^;]*unsafe-inline/);
    expect(await page.text()).not.toMatch(/<style|style="/);
    const results = await zipp.call('GET', '/study/pilot/results.html');
    expect(results.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    for (const res of [page, results, await fetch(`${zipp.url}/study/assets/study.js`), await fetch(`${zipp.url}/v1/health`)]) {
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});
