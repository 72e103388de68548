import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATES } from '../../../shared/rewrite/index.ts';
import type { PerfSuite } from '../suite.ts';

/**
 * The server under load from a second process on loopback. Three processes: the OpenAI-compatible test
 * server (the LLM), `zipp serve`, and this one driving autocannon. The LLM server is also measured alone
 * with the very request ZIPP sends it: that is the baseline, and ZIPP's overhead is the difference.
 * ZIPP runs with its defaults except --rate-limit 0 (the limit would cap the load) and no per-request
 * access log line (1,000 JSON lines a second to a pipe measures the pipe).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'zipp_bench_token_0123456789abcdef';
const SECONDS = Number(process.env.ZIPP_BENCH_SECONDS ?? 10);
/** The encoder model served for /v1/personas/infer (default: the shipped one). */
const ENCODER = process.env.ZIPP_BENCH_ENCODER;
/** Alternating rounds of the fixed-rate latency runs. */
const ROUNDS = Number(process.env.ZIPP_BENCH_ROUNDS ?? 3);
const PERSONA = 'You photograph the northern coast in fog, restore old wooden boats and collect antique maps.';
const PROMPT = 'a cozy wooden table with an open book';
const USERS = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/server/users.json'), 'utf8')) as { communities: unknown[] }[];

interface Run {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  errors: number;
  non2xx: number;
  /** CPU time the ZIPP process spent per request (user + system), from /proc. */
  cpuMsPerRequest?: number;
}

/** Spawns a process and waits for the first stdout line that parses as JSON with the key asked for. */
function startProcess(args: string[], env: NodeJS.ProcessEnv, key: string): Promise<{ child: ChildProcess; value: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n').slice(0, -1)) {
        try {
          const v = (JSON.parse(line) as Record<string, unknown>)[key];
          if (typeof v === 'string') resolve({ child, value: v });
        } catch {
          /* not a JSON line */
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}): ${err.trim().split('\n').at(-1)}`)));
  });
}

const cpuTicks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 per second on Linux)
};

function load(opts: { url: string; bodies: unknown[]; connections: number; rate?: number; token?: boolean; pid?: number }): Promise<Run> {
  const before = opts.pid ? cpuTicks(opts.pid) : 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: SECONDS,
        ...(opts.rate ? { overallRate: opts.rate } : {}),
        headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${TOKEN}` } : {}) },
        requests: opts.bodies.map((b) => ({ method: 'POST', body: JSON.stringify(b) })),
      },
      (err, r) => {
        if (err) return reject(err);
        const run: Run = {
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          total: r.requests.total,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
        };
        if (opts.pid) run.cpuMsPerRequest = ((cpuTicks(opts.pid) - before) * 10) / Math.max(1, r.requests.total);
        resolve(run);
      },
    );
  });
}

/** The run with the median p99 (its other numbers come with it). */
const medianRun = (runs: Run[]) => [...runs].sort((a, b) => a.p99 - b.p99)[Math.floor(runs.length / 2)]!;

const row = (name: string, r: Run, note = '') =>
  `| ${name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.cpuMsPerRequest?.toFixed(2) ?? '–'} | ${r.errors + r.non2xx} | ${note} |`;

const suite: PerfSuite = {
  name: 'server',
  description: 'POST /v1/rewrite ≥ 1,000 req/s with p99 ≤ 20 ms of server overhead over the LLM test server; POST /v1/personas/infer ≥ 2,000 req/s (autocannon from a second process on loopback)',
  async run(log) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-bench-'));
    const procs: ChildProcess[] = [];
    try {
      const llm = await startProcess(['--import', 'tsx', 'test/helpers/server-llm-process.ts'], {}, 'url');
      procs.push(llm.child);
      const zipp = await startProcess(
        ['bin/zipp.js', 'serve', '--port', '0', '--data', dataDir, '--token', TOKEN, '--no-dashboard', '--rate-limit', '0', '--no-access-log', ...(ENCODER ? ['--encoder', ENCODER] : [])],
        { ZIPP_LLM_BASE_URL: llm.value, ZIPP_LLM_API_KEY: 'sk-bench', ZIPP_LLM_MODEL: 'zipp-test-model', ZIPP_LLM_MAX_RETRIES: '0' },
        'url',
      );
      procs.push(zipp.child);
      const pid = zipp.child.pid!;
      const health = (await (await fetch(`${zipp.value}/v1/health`)).json()) as { encoder: { loaded: boolean } };
      log(`LLM test server ${llm.value}, zipp ${zipp.value} (encoder ${health.encoder.loaded ? 'loaded' : 'NOT loaded'}), ${SECONDS} s per run`);

      const rewriteBodies = Array.from({ length: 16 }, (_, i) => ({ prompt: `${PROMPT}, scene ${i}`, persona: PERSONA }));
      // What ZIPP sends the LLM for these: the persona template's messages, at the default temperature.
      const llmBodies = rewriteBodies.map((b) => ({ model: 'zipp-test-model', temperature: 0.7, messages: TEMPLATES.persona.build({ prompt: b.prompt, persona: b.persona }) }));
      const chatUrl = `${llm.value}/chat/completions`;
      const rewriteUrl = `${zipp.value}/v1/rewrite`;
      const inferUrl = `${zipp.value}/v1/personas/infer`;
      const inferBodies = USERS.map((u) => ({ communities: u.communities, embedding: false }));

      // Warm-up: JIT, connection pools.
      await load({ url: rewriteUrl, bodies: rewriteBodies, connections: 8, token: true });
      if (health.encoder.loaded) await load({ url: inferUrl, bodies: inferBodies, connections: 8, token: true });

      // Latency at a fixed 1,000/s, the LLM alone and through ZIPP, alternated over ROUNDS rounds so that
      // a burst of load from elsewhere on the machine hits both sides alike; medians are reported.
      const llmFixed: Run[] = [];
      const rewriteFixed: Run[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        llmFixed.push(await load({ url: chatUrl, bodies: llmBodies, connections: 16, rate: 1000, pid: llm.child.pid! }));
        rewriteFixed.push(await load({ url: rewriteUrl, bodies: rewriteBodies, connections: 16, rate: 1000, token: true, pid }));
        log(`round ${round}: LLM alone p50 ${llmFixed.at(-1)!.p50} / p99 ${llmFixed.at(-1)!.p99} ms; rewrite ${Math.round(rewriteFixed.at(-1)!.rps)}/s, p50 ${rewriteFixed.at(-1)!.p50} / p99 ${rewriteFixed.at(-1)!.p99} ms`);
      }
      const llmMax = await load({ url: chatUrl, bodies: llmBodies, connections: 32, pid: llm.child.pid! });
      log(`LLM alone, max: ${Math.round(llmMax.rps)}/s`);
      const rewriteMax = await load({ url: rewriteUrl, bodies: rewriteBodies, connections: 32, token: true, pid });
      log(`rewrite, max: ${Math.round(rewriteMax.rps)}/s, p99 ${rewriteMax.p99} ms`);
      let inferMax: Run | undefined;
      let inferFixed: Run | undefined;
      if (health.encoder.loaded) {
        inferMax = await load({ url: inferUrl, bodies: inferBodies, connections: 32, token: true, pid });
        log(`infer, max: ${Math.round(inferMax.rps)}/s, p50 ${inferMax.p50} ms, p99 ${inferMax.p99} ms`);
        inferFixed = await load({ url: inferUrl, bodies: inferBodies, connections: 16, rate: 2000, token: true, pid });
        log(`infer at 2,000/s: ${Math.round(inferFixed.rps)}/s, p99 ${inferFixed.p99} ms`);
      }

      const llmMid = medianRun(llmFixed);
      const rewriteMid = medianRun(rewriteFixed);
      const overhead50 = rewriteMid.p50 - llmMid.p50;
      const overhead99 = rewriteMid.p99 - llmMid.p99;
      const zippCpu = rewriteMax.cpuMsPerRequest ?? NaN;
      const llmCpu = llmMax.cpuMsPerRequest ?? NaN;
      const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
      const results = [
        '| run | req/s | p50 ms | p99 ms | CPU ms/req (server measured) | errors | note |',
        '|---|---:|---:|---:|---:|---:|---|',
        row(`LLM test server alone, 1,000/s offered (baseline; median of ${ROUNDS})`, llmMid, 'the requests ZIPP sends; CPU = the LLM server'),
        row(`POST /v1/rewrite, 1,000/s offered (median of ${ROUNDS})`, rewriteMid, `overhead p50 ${overhead50} ms, p99 ${overhead99} ms; CPU = ZIPP`),
        row('LLM test server alone, max (32 connections)', llmMax),
        row('POST /v1/rewrite, max (32 connections)', rewriteMax),
        ...(inferMax ? [row('POST /v1/personas/infer, max (32 connections)', inferMax, '24 real users, varied bodies')] : []),
        ...(inferFixed ? [row('POST /v1/personas/infer, 2,000/s offered', inferFixed)] : []),
        '',
        `Rounds at 1,000/s (LLM p50/p99 → rewrite req/s, p50/p99): ${llmFixed.map((l, i) => `${l.p50}/${l.p99} → ${Math.round(rewriteFixed[i]!.rps)}, ${rewriteFixed[i]!.p50}/${rewriteFixed[i]!.p99}`).join('; ')}.`,
        '',
        `- Rewrite throughput ≥ 1,000 req/s: ${verdict(rewriteMax.rps >= 1000)} (${Math.round(rewriteMax.rps)}/s at 32 connections; ${Math.round(rewriteMid.rps)}/s of 1,000/s offered).`,
        `- Rewrite p99 overhead ≤ 20 ms at 1,000/s: ${verdict(overhead99 <= 20 && rewriteMid.rps >= 950)} (p99 ${rewriteMid.p99} ms through ZIPP vs ${llmMid.p99} ms for the LLM alone; overhead counts only where ZIPP kept up with the offered rate).`,
        inferMax
          ? `- Infer throughput ≥ 2,000 req/s: ${verdict(inferMax.rps >= 2000)} (${Math.round(inferMax.rps)}/s).`
          : '- Infer: not measured (no encoder model loaded).',
        `- CPU per rewrite: ZIPP ${zippCpu.toFixed(2)} ms, the LLM test server ${llmCpu.toFixed(2)} ms. One request through the stack costs ~${(zippCpu + llmCpu).toFixed(2)} ms of CPU ` +
          `before the load generator's share, so ${os.cpus().length} fully free cores top out near ${Math.round((1000 * os.cpus().length) / (zippCpu + llmCpu))}/s; ZIPP alone on one free core, ~${Math.round(1000 / zippCpu)}/s.`,
        `- Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} on ${os.cpus().length} cores (LLM server, ZIPP and autocannon share them with anything else running).`,
      ];
      return { markdown: results.join('\n') };
    } finally {
      for (const p of procs) p.kill('SIGTERM');
      await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default suite;
