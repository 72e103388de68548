import 'fake-indexeddb/auto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dexie } from 'dexie';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { engineFor } from '../../extension/lib/background/engine-for.ts';
import { syncOriginRule, type SessionRule, type SessionRulesApi } from '../../extension/lib/background/origin-rule.ts';
import { createHandlers, type BackgroundDeps } from '../../extension/lib/background/handlers.ts';
import { serveRewritePort, type PortLike } from '../../extension/lib/background/rewrite-port.ts';
import type { LlmConnection } from '../../extension/lib/llm/connection.ts';
import type { RewritePortOut } from '../../extension/lib/messages/protocol.ts';
import { createRouter } from '../../extension/lib/messages/router.ts';
import { openDb, type ZippDb } from '../../extension/lib/store/db.ts';
import { addHistory } from '../../extension/lib/store/history.ts';
import { savePersona } from '../../extension/lib/store/personas.ts';
import { updatePreferences } from '../../extension/lib/store/preferences.ts';
import { updateSite } from '../../extension/lib/store/sites.ts';
import { addVote, listVotes, personaHelp, votesCsv } from '../../extension/lib/store/votes.ts';
import { importBackup, parseBackup } from '../../extension/lib/store/backup.ts';
import { readVotes } from '../../server/eval/votes-file.ts';
import { binomialTestTwoSided } from '../../shared/metrics/binomial.ts';
import { winRates } from '../../shared/metrics/winrate.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { startTestZipp, TEST_TOKEN, type TestZipp } from '../helpers/server-app.ts';

/**
 * The background's message handling and rewrite port, on fake-indexeddb, against the real OpenAI-compatible
 * test server (and, for the ZIPP-server connection, the real ZIPP server app) over HTTP on 127.0.0.1.
 */
const SELF = { id: 'zipp-extension-id', origin: 'chrome-extension://zipp-extension-id/' };
const OPTIONS_PAGE = { id: SELF.id, url: `${SELF.origin}options.html`, tab: { id: 1 } };
const contentOn = (url: string) => ({ id: SELF.id, url, tab: { id: 7, url } });

let llm: OpenAiTestServer;
let n = 0;
const dbs: ZippDb[] = [];

beforeAll(async () => {
  llm = await startOpenAiServer();
});
afterAll(() => llm.close());
afterEach(async () => {
  llm.reset();
  for (const db of dbs.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

function setup(connection: LlmConnection | null = { kind: 'compatible', baseUrl: llm.url, model: 'zipp-test-model', apiKey: 'sk-local-0000' }) {
  const db = openDb(`zipp-bg-${process.pid}-${n++}`);
  dbs.push(db);
  let saved = connection ?? undefined;
  // declarativeNetRequest's session rules, kept the way the browser keeps them (by id).
  const rules = new Map<number, SessionRule>();
  const dnr: SessionRulesApi = {
    updateSessionRules: async ({ removeRuleIds = [], addRules = [] }) => {
      for (const id of removeRuleIds) rules.delete(id);
      for (const r of addRules) rules.set(r.id, r);
    },
  };
  const deps: BackgroundDeps = {
    db,
    loadConnection: async () => saved,
    saveConnection: async (c) => {
      saved = c;
    },
    engineFor: (c) => engineFor(c, { extensionOrigin: SELF.origin }),
    extensionOrigin: SELF.origin,
    syncOriginRule: (c) => syncOriginRule(dnr, c, SELF.id),
    notifyTabs: async () => 0,
    openOptions: async () => {},
    shortcut: async () => 'Alt+Shift+R',
    descriptions: async (names) => names.filter((x) => x === 'analog').map((name) => ({ name, title: 'Film photography', description: 'Shooting on film.' })),
  };
  const route = createRouter(createHandlers(deps), SELF);
  const ask = (type: string, payload: unknown, sender: object = OPTIONS_PAGE) => route({ zipp: 1, type, payload }, sender);
  return { db, deps, ask, rules };
}

/** A runtime.Port stand-in that records what the background posts back. */
function fakePort(senderUrl: string) {
  const out: RewritePortOut[] = [];
  const onMessage: ((m: unknown) => void)[] = [];
  const onDisconnect: (() => void)[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const port: PortLike = {
    name: 'zipp-rewrite',
    sender: contentOn(senderUrl),
    postMessage: (m) => {
      out.push(m);
      if (m.type === 'done' || m.type === 'error') resolveDone();
    },
    onMessage: { addListener: (fn) => onMessage.push(fn) },
    onDisconnect: { addListener: (fn) => onDisconnect.push(fn) },
  };
  return {
    port,
    out,
    done,
    send: (m: unknown) => onMessage.forEach((fn) => fn(m)),
    disconnect: () => onDisconnect.forEach((fn) => fn()),
  };
}

describe('extension background: the message router', () => {
  it('answers its own pages, refuses extension-only requests from content scripts, and ignores strangers', async () => {
    const { ask } = setup();
    expect(await ask('llm/get', {})).toEqual({ ok: true, data: { kind: 'compatible', url: llm.url, model: 'zipp-test-model', keyHint: '…0000' } });
    expect(await ask('llm/get', {}, contentOn('https://evil.example/'))).toEqual({
      ok: false,
      error: { code: 'forbidden', message: '"llm/get" is only available to ZIPP\'s own pages' },
    });
    expect(await ask('llm/get', {}, { id: 'another-extension', url: 'chrome-extension://another-extension/x.html' })).toBeUndefined();
    expect(await ask('no/such', {})).toMatchObject({ ok: false, error: { code: 'bad-request', message: 'unknown request "no/such"' } });
    expect(await ask('history/capture', { url: 'https://chatgpt.com/', prompt: '' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/^history\/capture: prompt: the prompt is empty/) },
    });
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('answers a request named "%s" as unknown (own properties only), from pages and content scripts', async (type) => {
    const { ask } = setup();
    for (const sender of [OPTIONS_PAGE, contentOn('https://evil.example/')]) {
      expect(await ask(type, {}, sender)).toEqual({ ok: false, error: { code: 'bad-request', message: `unknown request "${type}"` } });
    }
  });

  it('saves a connection from the options page and never hands the key back', async () => {
    const { ask, deps } = setup(null);
    expect(await ask('llm/test', {})).toMatchObject({ ok: false, error: { code: 'no-llm' } });
    const saved = await ask('llm/save', { connection: { kind: 'openai', apiKey: 'sk-abcdefgh12345678' } });
    expect(saved).toEqual({ ok: true, data: { kind: 'openai', url: 'https://api.openai.com/v1', model: 'gpt-4o-mini', keyHint: '…5678' } });
    expect(JSON.stringify(saved)).not.toContain('sk-abcdefgh');
    expect(await deps.loadConnection()).toMatchObject({ apiKey: 'sk-abcdefgh12345678' });
    expect(await ask('llm/save', { connection: { kind: 'compatible', baseUrl: 'ftp://x', model: 'm' } })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/connection\.baseUrl: the server URL must start with http/) },
    });
  });

  it('tests the connection through the real client and explains failures in the options page’s terms', async () => {
    const { ask } = setup();
    expect(await ask('llm/test', {})).toMatchObject({ ok: true, data: { model: 'zipp-test-model' } });
    expect(llm.requests.at(-1)?.headers.authorization).toBe('Bearer sk-local-0000');
    llm.enqueue({ kind: 'error', status: 401 });
    expect(await ask('llm/test', {})).toMatchObject({
      ok: false,
      error: { code: 'bad-key', message: `the LLM at ${llm.url} rejected the API key (401): paste a valid key in ZIPP options → Connection` },
    });
    llm.enqueue(...Array.from({ length: 4 }, () => ({ kind: 'error' as const, status: 429, retryAfter: 0 })));
    expect(await ask('llm/test', {})).toMatchObject({ ok: false, error: { code: 'rate-limited', message: expect.stringMatching(/rate-limiting \(429\) after 4 attempts: wait/) } });
    const { ask: askClosed } = setup({ kind: 'compatible', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' });
    const closed = await askClosed('llm/test', {});
    expect(closed).toMatchObject({ ok: false, error: { code: 'unreachable', message: expect.stringMatching(/cannot reach the LLM at http:\/\/127\.0\.0\.1:9\/v1.*ZIPP options → Connection/) } });
  }, 30_000);
});

describe('extension background: the Origin rule for local servers (Ollama)', () => {
  it('drops Origin only from ZIPP’s own tab-less requests to the one configured server, and follows the connection', async () => {
    const { ask, rules } = setup(null);
    expect(await ask('llm/origin', {})).toEqual({ ok: true, data: { state: 'none', fix: 'OLLAMA_ORIGINS=chrome-extension://zipp-extension-id' } });
    await ask('llm/save', { connection: { kind: 'compatible', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' } });
    expect([...rules.values()]).toEqual([
      {
        id: 1,
        priority: 1,
        action: { type: 'modifyHeaders', requestHeaders: [{ header: 'origin', operation: 'remove' }] },
        condition: { urlFilter: '|http://127.0.0.1:11434/', initiatorDomains: [SELF.id], tabIds: [-1], resourceTypes: ['xmlhttprequest', 'other'] },
      },
    ]);
    expect(await ask('llm/origin', {})).toMatchObject({ ok: true, data: { state: 'active', server: 'http://127.0.0.1:11434' } });
    await ask('llm/save', { connection: { kind: 'zipp', serverUrl: 'https://zipp.lab.example:8787', token: 'tok' } });
    expect([...rules.values()].map((r) => r.condition.urlFilter)).toEqual(['|https://zipp.lab.example:8787/']);
    await ask('llm/save', { connection: { kind: 'openai', apiKey: 'sk-abcdefgh12345678' } });
    expect(rules.size).toBe(0);
  });

  it('says where the browser cannot drop the header', async () => {
    const connection = { kind: 'compatible' as const, baseUrl: 'http://127.0.0.1:11434/v1', model: 'm' };
    expect(await syncOriginRule(undefined, connection, SELF.id)).toEqual({ state: 'unavailable', server: 'http://127.0.0.1:11434', reason: 'this browser has no declarativeNetRequest session rules' });
    const failing: SessionRulesApi = { updateSessionRules: async () => Promise.reject(new Error('Rule with id 1 is invalid')) };
    expect(await syncOriginRule(failing, connection, SELF.id)).toMatchObject({ state: 'unavailable', reason: 'Rule with id 1 is invalid' });
  });

  it('turns a 403 from the server into the OLLAMA_ORIGINS fix for this extension', async () => {
    const { ask } = setup();
    llm.enqueue({ kind: 'error', status: 403, message: '' });
    expect(await ask('llm/test', {})).toEqual({
      ok: false,
      error: {
        code: 'origin-refused',
        message: `the server at ${llm.url} refused ZIPP's requests (403 Forbidden), as Ollama does for browser extensions it was not told about: restart it with OLLAMA_ORIGINS=chrome-extension://zipp-extension-id set (e.g. \`OLLAMA_ORIGINS=chrome-extension://zipp-extension-id ollama serve\`), or check the key in ZIPP options → Connection`,
      },
    });
  });
});

describe('extension background: site state and history', () => {
  it('is on for supported sites unless switched off, off elsewhere until switched on, judged from the sender’s URL', async () => {
    const { ask, db } = setup();
    const state = (url: string, claimed = url) => ask('site/state', { url: claimed }, contentOn(url));
    expect(await state('https://www.midjourney.com/imagine')).toMatchObject({
      ok: true,
      data: { host: 'midjourney.com', adapter: 'midjourney', active: true, ready: { llm: true, persona: false } },
    });
    expect(await state('http://127.0.0.1:5173/')).toMatchObject({ data: { host: '127.0.0.1:5173', adapter: 'generic', active: false } });
    await updateSite(db, '127.0.0.1:5173', { enabled: true });
    await updateSite(db, 'midjourney.com', { enabled: false });
    expect(await state('http://127.0.0.1:5173/x')).toMatchObject({ data: { active: true } });
    expect(await state('https://www.midjourney.com/')).toMatchObject({ data: { active: false } });
    // A content script cannot ask about another page than its own.
    expect(await state('https://example.org/', 'http://127.0.0.1:5173/')).toMatchObject({ data: { host: 'example.org', active: false } });
  });

  it('keeps a submitted prompt only where the person opted in', async () => {
    const { ask, db } = setup();
    const capture = (prompt: string) => ask('history/capture', { url: 'https://chatgpt.com/c/1', prompt }, contentOn('https://chatgpt.com/c/1'));
    expect(await capture('a foggy pier')).toEqual({ ok: true, data: { stored: false } });
    await updateSite(db, 'chatgpt.com', { capture: true });
    expect(await capture('a foggy pier')).toEqual({ ok: true, data: { stored: true } });
    expect(await db.history.toArray()).toEqual([expect.objectContaining({ site: 'chatgpt.com', prompt: 'a foggy pier' })]);
  });
});

describe('extension background: the rewrite port', () => {
  it('streams the rewrite of the site’s persona, logs it, and lets the content script settle only its own rewrite', async () => {
    const { db, deps, ask } = setup();
    await savePersona(db, { name: 'Harbours', text: 'You photograph foggy harbours and lighthouses on film.', source: 'manual' });
    const p = fakePort('https://ideogram.ai/t/create');
    serveRewritePort(p.port, deps, SELF);
    p.send({ type: 'start', url: 'https://ideogram.ai/t/create', prompt: 'a dog in a park', trigger: 'button' });
    await p.done;
    const deltas = p.out.filter((m) => m.type === 'delta').map((m) => (m as { text: string }).text);
    const done = p.out.at(-1) as Extract<RewritePortOut, { type: 'done' }>;
    expect(done.type).toBe('done');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(done.result.rewritten);
    expect(done.result).toMatchObject({ method: 'persona', model: 'zipp-test-model', guard: 'passed' });
    expect(done.result.rewritten).toMatch(/^a dog in a park, .*(harbours|lighthouses|foggy)/);
    expect(llm.chatBodies().at(-1)?.messages?.[0]?.content).toContain('foggy harbours');
    const row = await db.rewrites.get(done.result.logId);
    expect(row).toMatchObject({ site: 'ideogram.ai', base: 'a dog in a park', outcome: 'pending' });

    expect(await ask('rewrite/outcome', { logId: done.result.logId, outcome: 'accepted' }, contentOn('https://chatgpt.com/'))).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await ask('rewrite/outcome', { logId: done.result.logId, outcome: 'accepted' }, contentOn('https://ideogram.ai/x'))).toEqual({ ok: true, data: {} });
    expect((await db.rewrites.get(done.result.logId))?.outcome).toBe('accepted');
  });

  it('rewrites few-shot from the site’s history when there is some, and tells the person when no persona exists', async () => {
    const { db, deps } = setup();
    const none = fakePort('https://civitai.com/generate');
    serveRewritePort(none.port, deps, SELF);
    none.send({ type: 'start', url: 'https://civitai.com/generate', prompt: 'a castle', trigger: 'shortcut' });
    await none.done;
    expect(none.out.at(-1)).toMatchObject({ type: 'error', error: { code: 'no-persona', message: expect.stringMatching(/ZIPP options → Personas/) } });

    await savePersona(db, { name: 'P', text: 'You love brutalist concrete architecture.', source: 'manual' });
    await addHistory(db, 'civitai.com', 'a concrete stairwell, hard light');
    await updatePreferences(db, { fewShotK: 2 });
    const p = fakePort('https://civitai.com/generate');
    serveRewritePort(p.port, deps, SELF);
    p.send({ type: 'start', url: 'https://civitai.com/generate', prompt: 'a castle on a hill', trigger: 'shortcut' });
    await p.done;
    expect(p.out.at(-1)).toMatchObject({ type: 'done', result: { method: 'fewshot' } });
    expect(String(llm.chatBodies().at(-1)?.messages?.at(-1)?.content)).toContain('a concrete stairwell, hard light');
  });

  it('cancels the LLM request when the page closes the port', async () => {
    const { db, deps } = setup();
    await savePersona(db, { name: 'P', text: 'You love trains.', source: 'manual' });
    llm.enqueue({ kind: 'hang' });
    const p = fakePort('https://playground.com/create');
    serveRewritePort(p.port, deps, SELF);
    p.send({ type: 'start', url: 'https://playground.com/create', prompt: 'a station', trigger: 'button' });
    await expect.poll(() => llm.requests.length).toBe(1);
    p.disconnect();
    await new Promise((r) => setTimeout(r, 200));
    expect(p.out).toEqual([]);
    expect(await db.rewrites.count()).toBe(0);
  });

  it('ignores ports that do not come from a content script of this extension', () => {
    const { deps } = setup();
    const p = fakePort('https://ideogram.ai/');
    let listened = false;
    serveRewritePort({ ...p.port, sender: { id: 'other', url: 'https://ideogram.ai/', tab: { id: 1 } }, onMessage: { addListener: () => (listened = true) } }, deps, SELF);
    serveRewritePort({ ...p.port, sender: { id: SELF.id, url: `${SELF.origin}options.html`, tab: { id: 1 } }, onMessage: { addListener: () => (listened = true) } }, deps, SELF);
    expect(listened).toBe(false);
  });
});

describe('extension background: persona generation', () => {
  it('writes a persona from the communities the encoder ranked, with the evidence it used', async () => {
    const { ask } = setup();
    const answer = await ask('persona/verbalize', {
      communities: [
        { name: 'analog', comments: 40 },
        { name: 'Breadit', posts: 2, comments: 3 },
      ],
      importance: [
        { name: 'analog', weight: 0.8 },
        { name: 'breadit', weight: 0.2 },
      ],
    });
    expect(answer).toMatchObject({ ok: true, data: { text: expect.stringMatching(/^You /), model: 'zipp-test-model' } });
    const data = (answer as { data: { evidence: { communities: { name: string; weight: number }[] } } }).data;
    expect(data.evidence.communities.map((c) => c.name)).toEqual(['analog', 'breadit']);
    expect(data.evidence.communities[0]!.weight).toBeCloseTo(0.8);
    expect(String(llm.chatBodies().at(-1)?.messages?.at(-1)?.content)).toContain('Film photography');
  });
});

describe('extension background: a ZIPP server as the LLM', () => {
  let zipp: TestZipp;
  beforeAll(async () => {
    zipp = await startTestZipp({ env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model', ZIPP_LLM_API_KEY: 'server-key' } });
  });
  afterAll(() => zipp?.close());

  it('streams the rewrite over the server’s SSE API with its token, and names a wrong token', async () => {
    const engine = engineFor({ kind: 'zipp', serverUrl: zipp.url, token: TEST_TOKEN });
    expect(await engine.check()).toMatchObject({ reply: 'ready' });
    const deltas: string[] = [];
    const result = await engine.rewrite(
      { prompt: 'a dog in a park', persona: 'You paint watercolour seascapes.', method: 'persona' },
      { signal: new AbortController().signal, onDelta: (t) => deltas.push(t), onRestart: () => {} },
    );
    expect(result).toMatchObject({ method: 'persona', guard: 'passed', model: 'zipp-test-model' });
    expect(deltas.join('')).toBe(result.rewritten);
    expect(llm.requests.at(-1)?.headers.authorization).toBe('Bearer server-key');

    const wrong = engineFor({ kind: 'zipp', serverUrl: zipp.url, token: 'nope' });
    await expect(wrong.check()).rejects.toThrow(/refused the token \(401\)/);
  }, 30_000);

  it('starts the preview over when the server says the pipeline asks again (restart event), so only the answer that counts is shown', async () => {
    llm.enqueue({ kind: 'drop-subject' }); // the first answer loses the subject: the guard asks again
    const engine = engineFor({ kind: 'zipp', serverUrl: zipp.url, token: TEST_TOKEN });
    let shown = '';
    let restarts = 0;
    const result = await engine.rewrite(
      { prompt: 'a red bicycle by a canal', persona: 'You paint watercolour seascapes.', method: 'persona' },
      { signal: new AbortController().signal, onDelta: (t) => (shown += t), onRestart: () => ((shown = ''), restarts++) },
    );
    expect(restarts).toBe(1);
    expect(result.usage.requests).toBe(2);
    expect(shown).toBe(result.rewritten);
  }, 30_000);

  it('has the server write personas from communities (with the encoder’s weights) and from the questionnaire', async () => {
    const engine = engineFor({ kind: 'zipp', serverUrl: zipp.url, token: TEST_TOKEN });
    const fromCommunities = await engine.verbalize(
      { communities: [{ name: 'woodworking', posts: 1, comments: 20 }, { name: 'cooking', posts: 0, comments: 5 }], importance: [{ name: 'woodworking', weight: 0.7 }, { name: 'cooking', weight: 0.3 }] },
      [],
    );
    expect(fromCommunities.text).toMatch(/^You /);
    expect(fromCommunities.evidence.communities.map((c) => c.name)).toEqual(['woodworking', 'cooking']);
    const fromAnswers = await engine.questionnaire({
      ageRange: '25-34', gender: 'prefer-not-to-say', region: 'northern Portugal', profession: 'hospital pharmacist', education: 'masters',
      hobbies: ['bouldering', 'baking'], topics: 'urban planning and space missions', socialEnergy: 'neither',
      personalityWords: ['curious', 'patient', 'stubborn'], typicalWeekend: 'Climbing on Saturday morning, baking bread on Sunday.',
    });
    expect(fromAnswers.template).toMatch(/questionnaire/);
  }, 30_000);
});

describe('extension background: two candidates and the person’s own A/B', () => {
  const PERSONA_TEXT = 'You photograph foggy harbours and lighthouses on film.';
  async function rewriteTwice(deps: BackgroundDeps, url: string, prompt: string) {
    const p = fakePort(url);
    serveRewritePort(p.port, deps, SELF);
    p.send({ type: 'start', url, prompt, trigger: 'button' });
    await p.done;
    return { done: p.out.at(-1) as Extract<RewritePortOut, { type: 'done' }>, out: p.out };
  }

  it('makes one rewrite with the persona and one without, streams both, shows them in random order, logs them as a pair', async () => {
    const { db, deps } = setup();
    const persona = await savePersona(db, { name: 'Harbours', text: PERSONA_TEXT, source: 'manual' });
    await updatePreferences(db, { candidates: 'persona-vs-none' });
    const firsts = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const { done, out } = await rewriteTwice(deps, 'https://ideogram.ai/t', 'a dog in a park');
      const pair = done.result.candidates!;
      expect(pair).toHaveLength(2);
      for (const c of [0, 1] as const) {
        const streamed = out.filter((m) => m.type === 'delta' && m.candidate === c).map((m) => (m as { text: string }).text).join('');
        expect(streamed).toBe(pair[c].rewritten);
      }
      const rows = await Promise.all(pair.map((c) => db.rewrites.get(c.logId)));
      expect(rows.map((r) => r!.pair!.id)).toEqual([rows[0]!.pair!.id, rows[0]!.pair!.id]);
      const a = rows.find((r) => r!.pair!.arm === 'a')!;
      const b = rows.find((r) => r!.pair!.arm === 'b')!;
      expect(a).toMatchObject({ personaId: persona.id, method: 'persona', pair: { mode: 'persona-vs-none', label: 'persona' } });
      expect(b).toMatchObject({ personaId: null, method: 'baseline', pair: { mode: 'persona-vs-none', label: 'no persona' } });
      expect(a.rewritten).toMatch(/harbours|lighthouses|foggy/);
      firsts.add(rows[0]!.pair!.arm);
    }
    // Both orders came up (a fair coin gives one order twelve times in a row with p = 1/2048).
    expect(firsts).toEqual(new Set(['a', 'b']));
    const bodies = llm.chatBodies().slice(-2);
    expect(bodies.filter((b) => b.messages?.[0]?.role === 'system' && String(b.messages[0].content) === PERSONA_TEXT)).toHaveLength(1);
    expect(bodies.filter((b) => b.messages?.every((m) => m.role !== 'system'))).toHaveLength(1);
  });

  it('keeps a pick as a vote once, only for its own page’s pair, and adds the votes up with the exact binomial test', async () => {
    const { db, deps, ask } = setup();
    await savePersona(db, { name: 'Harbours', text: PERSONA_TEXT, source: 'manual' });
    await updatePreferences(db, { candidates: 'persona-vs-none' });
    const picks: ('a' | 'b')[] = ['a', 'a', 'b', 'a', 'a'];
    for (const want of picks) {
      const { done } = await rewriteTwice(deps, 'https://ideogram.ai/t', 'a lighthouse at dusk');
      const pair = done.result.candidates!;
      const arms = await Promise.all(pair.map(async (c) => (await db.rewrites.get(c.logId))!.pair!.arm));
      const chosen = pair[arms.indexOf(want)]!.logId;
      const other = pair[1 - arms.indexOf(want)]!.logId;
      expect(await ask('rewrite/choose', { chosen, other }, contentOn('https://chatgpt.com/'))).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect(await ask('rewrite/choose', { chosen, other: chosen }, contentOn('https://ideogram.ai/t'))).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect(await ask('rewrite/choose', { chosen, other }, contentOn('https://ideogram.ai/t'))).toEqual({ ok: true, data: {} });
      expect(await ask('rewrite/choose', { chosen, other }, contentOn('https://ideogram.ai/t'))).toEqual({ ok: true, data: {} });
      expect((await db.rewrites.get(chosen))?.outcome).toBe('accepted');
      expect((await db.rewrites.get(other))?.outcome).toBe('discarded');
    }
    const votes = await listVotes(db);
    expect(votes.map((v) => v.winner)).toEqual(picks);
    const [all] = personaHelp(votes).filter((r) => r.site === undefined);
    expect(all).toMatchObject({ a: 'persona', b: 'no persona', n: 5, wins_a: 4, win_rate_a: 0.8 });
    expect(all!.p_value).toBeCloseTo(binomialTestTwoSided(4, 5), 12);
    expect(all!.p_value).toBeCloseTo(0.375, 12);
  });

  it('still keeps a new pick after votes came in from a backup (their rewrite-log ids do not travel)', async () => {
    const { db, deps, ask } = setup();
    await savePersona(db, { name: 'Harbours', text: PERSONA_TEXT, source: 'manual' });
    await updatePreferences(db, { candidates: 'persona-vs-none' });
    // Votes from another browser, whose log rows 1 and 2 were other rewrites than this browser's 1 and 2.
    const imported = { site: 'ideogram.ai', mode: 'persona-vs-none', a: 'persona', b: 'no persona', aPersonaId: 'p9', bPersonaId: null, winner: 'a', first: 'b', createdAt: '2025-02-01T10:00:00.000Z', logIds: [1, 2] };
    const file = { format: 'zipp-extension-backup', version: 1, exportedAt: '2025-02-02T10:00:00.000Z', votes: [imported, { ...imported, createdAt: '2025-02-01T10:05:00.000Z' }] };
    expect(await importBackup(db, parseBackup(JSON.stringify(file)))).toMatchObject({ votes: 2 });
    const { done } = await rewriteTwice(deps, 'https://ideogram.ai/t', 'a lighthouse at dusk');
    const [x, y] = done.result.candidates!;
    expect([x!.logId, y!.logId].sort()).toEqual([1, 2]);
    expect(await ask('rewrite/choose', { chosen: x!.logId, other: y!.logId }, contentOn('https://ideogram.ai/t'))).toEqual({ ok: true, data: {} });
    const votes = await listVotes(db);
    expect(votes.map((v) => v.logIds?.toSorted() ?? null)).toEqual([null, null, [1, 2]]);
  });

  it('exports the votes in the A/B study votes format, which the study tooling reads back to the same numbers', async () => {
    const { db } = setup();
    const base = { site: 'www.midjourney.com', mode: 'persona-vs-none' as const, a: 'persona', b: 'no persona', aPersonaId: 'p1', bPersonaId: null, first: 'a' as const };
    for (let i = 0; i < 20; i++) await addVote(db, { ...base, winner: i < 14 ? 'a' : 'b', logIds: [2 * i + 1, 2 * i + 2] });
    await addVote(db, { ...base, site: 'civitai.com', a: 'Harbours', b: 'Retro, "8-bit"', mode: 'persona-vs-persona', bPersonaId: 'p2', winner: 'b', logIds: [99, 100] });
    const csv = votesCsv(await listVotes(db));
    expect(csv.split('\n')[0]).toBe('a,b,winner,mode,site,date');
    expect(csv).not.toMatch(/harbour.*film|lighthouse/i);
    const file = join(mkdtempSync(join(tmpdir(), 'zipp-votes-')), 'votes.csv');
    writeFileSync(file, csv);
    const pooled = winRates(await readVotes(file));
    const persona = pooled.find((r) => r.a === 'persona')!;
    expect(persona).toMatchObject({ n: 20, wins_a: 14, win_rate_a: 0.7 });
    expect(persona.p_value).toBeCloseTo(binomialTestTwoSided(14, 20), 12);
    expect(pooled.find((r) => r.a === 'Harbours')).toMatchObject({ b: 'Retro, "8-bit"', wins_b: 1, n: 1 });
    expect(personaHelp(await listVotes(db)).find((r) => r.site === undefined)).toMatchObject({ n: 20, wins_a: 14, p_value: persona.p_value });
  });

  it('asks for a second persona before comparing two', async () => {
    const { db, deps } = setup();
    const main = await savePersona(db, { name: 'Harbours', text: PERSONA_TEXT, source: 'manual' });
    await updatePreferences(db, { candidates: 'persona-vs-persona', comparePersonaId: main.id });
    const p = fakePort('https://ideogram.ai/t');
    serveRewritePort(p.port, deps, SELF);
    p.send({ type: 'start', url: 'https://ideogram.ai/t', prompt: 'a dog in a park', trigger: 'button' });
    await p.done;
    expect(p.out.at(-1)).toMatchObject({ type: 'error', error: { code: 'no-second-persona' } });
    const other = await savePersona(db, { name: 'Retro', text: 'You collect 1980s arcade cabinets and neon signs.', source: 'manual' });
    await updatePreferences(db, { comparePersonaId: other.id });
    const { done } = await rewriteTwice(deps, 'https://ideogram.ai/t', 'a dog in a park');
    const rows = await Promise.all(done.result.candidates!.map((c) => db.rewrites.get(c.logId)));
    expect(rows.map((r) => r!.pair!.label).sort()).toEqual(['Harbours', 'Retro']);
  });
});

describe('extension background: explained diffs and the strength dial', () => {
  it('sends the diff with each added phrase linked to the persona, and makes, logs and shows the strength', async () => {
    const { db, deps } = setup();
    await savePersona(db, { name: 'Harbours', text: 'You photograph foggy harbours and lighthouses on film. You never shoot in colour.', source: 'manual' });
    await updatePreferences(db, { strength: 'strong' });
    const p = fakePort('https://ideogram.ai/t');
    serveRewritePort(p.port, deps, SELF);
    p.send({ type: 'start', url: 'https://ideogram.ai/t', prompt: 'a dog in a park', trigger: 'button' });
    await p.done;
    const done = p.out.at(-1) as Extract<RewritePortOut, { type: 'done' }>;
    expect(llm.chatBodies().at(-1)!.temperature).toBe(0.9);
    expect((await db.rewrites.get(done.result.logId))?.strength).toBe('strong');
    const explained = done.result.explained!;
    expect(explained.filter((s) => s.kind !== 'removed').map((s) => s.text).join('')).toBe(done.result.rewritten);
    const supported = explained.filter((s) => s.kind === 'added' && s.supported);
    expect(supported.length).toBeGreaterThan(0);
    expect(supported[0]!.sources![0]).toBe('You photograph foggy harbours and lighthouses on film.');
  });
});
