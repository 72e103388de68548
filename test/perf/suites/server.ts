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
 * Baseline and ZIPP runs alternate, round after round, so that load from elsewhere on the machine hits
 * both alike; medians over the rounds are reported, with the CPU time each server spent per request
 * (from /proc: far less sensitive to other load than throughput is) and the load generator's own.
 * ZIPP runs with its defaults except a per-token rate limit far above the offered load (the limiter stays
 * on the path; the default 50/s would cap the run) and no per-request access log line (1,000 JSON lines
 * a second to a pipe measures the pipe).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'zipp_bench_token_0123456789abcdef';
const SECONDS = Number(process.env.ZIPP_BENCH_SECONDS ?? 10);
/** The encoder model served for /v1/personas/infer (default: the shipped one). */
const ENCODER = process.env.ZIPP_BENCH_ENCODER;
/** Rounds; each runs the baseline and ZIPP, at 1,000/s and at full speed. */
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
  /** CPU time the measured server process spent per request (user + system), from /proc. */
  cpuMsPerRequest?: number;
  /** CPU time this process (autocannon) spent per request. */
  driverCpuMsPerRequest: number;
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
  const driverBefore = process.cpuUsage();
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
        const driver = process.cpuUsage(driverBefore);
        const run: Run = {
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          total: r.requests.total,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
          driverCpuMsPerRequest: (driver.user + driver.system) / 1000 / Math.max(1, r.requests.total),
        };
        if (opts.pid) run.cpuMsPerRequest = ((cpuTicks(opts.pid) - before) * 10) / Math.max(1, r.requests.total);
        resolve(run);
      },
    );
  });
}

/** The median of some numbers (the upper one of an even count). */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** The run with the median p99 (its other numbers come with it). */
const medianRun = (runs: Run[]) => [...runs].sort((a, b) => a.p99 - b.p99)[Math.floor(runs.length / 2)]!;
/** The run with the median throughput. */
const medianRate = (runs: Run[]) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
const cpu = (runs: Run[]) => median(runs.map((r) => r.cpuMsPerRequest ?? NaN));
const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');

const row = (name: string, r: Run, note = '', cpuMs = r.cpuMsPerRequest) =>
  `| ${name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${cpuMs?.toFixed(3) ?? '–'} | ${r.driverCpuMsPerRequest.toFixed(3)} | ${r.errors + r.non2xx} | ${note} |`;

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
        [
          'bin/zipp.js', 'serve', '--port', '0', '--data', dataDir, '--token', TOKEN, '--no-dashboard', '--no-access-log',
          // The limiter runs on every request, at a rate no run reaches.
          '--rate-limit', '1000000', '--rate-burst', '1000000',
          ...(ENCODER ? ['--encoder', ENCODER] : []),
        ],
        { ZIPP_LLM_BASE_URL: llm.value, ZIPP_LLM_API_KEY: 'sk-bench', ZIPP_LLM_MODEL: 'zipp-test-model', ZIPP_LLM_MAX_RETRIES: '0' },
        'url',
      );
      procs.push(zipp.child);
      const pid = zipp.child.pid!;
      const llmPid = llm.child.pid!;
      const health = (await (await fetch(`${zipp.value}/v1/health`)).json()) as { encoder: { loaded: boolean } };
      const loadAtStart = loadavg();
      log(`LLM test server ${llm.value}, zipp ${zipp.value} (encoder ${health.encoder.loaded ? 'loaded' : 'NOT loaded'}), ${SECONDS} s per run; load average ${loadAtStart}`);

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

      // Each round: the LLM alone and through ZIPP at a fixed 1,000/s (latency), then both at full speed
      // (throughput), one after the other, so that a burst of load from elsewhere on the machine hits
      // both sides alike. Medians over the rounds are reported; the overhead is taken within each round.
      const llmFixed: Run[] = [];
      const rewriteFixed: Run[] = [];
      const llmMaxes: Run[] = [];
      const rewriteMaxes: Run[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const lf = await load({ url: chatUrl, bodies: llmBodies, connections: 16, rate: 1000, pid: llmPid });
        const rf = await load({ url: rewriteUrl, bodies: rewriteBodies, connections: 16, rate: 1000, token: true, pid });
        const lm = await load({ url: chatUrl, bodies: llmBodies, connections: 32, pid: llmPid });
        const rm = await load({ url: rewriteUrl, bodies: rewriteBodies, connections: 32, token: true, pid });
        llmFixed.push(lf);
        rewriteFixed.push(rf);
        llmMaxes.push(lm);
        rewriteMaxes.push(rm);
        log(
          `round ${round}: at 1,000/s LLM alone p50 ${lf.p50} / p99 ${lf.p99} ms, rewrite ${Math.round(rf.rps)}/s p50 ${rf.p50} / p99 ${rf.p99} ms ` +
            `(${rf.cpuMsPerRequest?.toFixed(3)} ms CPU/req); max LLM ${Math.round(lm.rps)}/s, rewrite ${Math.round(rm.rps)}/s p99 ${rm.p99} ms; load ${loadavg()}`,
        );
      }
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
      const llmMax = medianRate(llmMaxes);
      const rewriteMax = medianRate(rewriteMaxes);
      const overhead50 = median(rewriteFixed.map((r, i) => r.p50 - llmFixed[i]!.p50));
      const overhead99 = median(rewriteFixed.map((r, i) => r.p99 - llmFixed[i]!.p99));
      // Overhead counts only in rounds where ZIPP kept up with the offered rate.
      const keptUp = median(rewriteFixed.map((r) => r.rps)) >= 950;
      const zippCpu = median([...rewriteFixed, ...rewriteMaxes].map((r) => r.cpuMsPerRequest ?? NaN));
      const llmCpu = median([...llmFixed, ...llmMaxes].map((r) => r.cpuMsPerRequest ?? NaN));
      const driverCpu = median(rewriteMaxes.map((r) => r.driverCpuMsPerRequest));
      const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
      const results = [
        '| run | req/s | p50 ms | p99 ms | server CPU ms/req | autocannon CPU ms/req | errors | note |',
        '|---|---:|---:|---:|---:|---:|---:|---|',
        row(`LLM test server alone, 1,000/s offered (baseline; median of ${ROUNDS})`, llmMid, 'the requests ZIPP sends; CPU = the LLM server', cpu(llmFixed)),
        row(`POST /v1/rewrite, 1,000/s offered (median of ${ROUNDS})`, rewriteMid, `overhead p50 ${overhead50} ms, p99 ${overhead99} ms (median of per-round differences); CPU = ZIPP`, cpu(rewriteFixed)),
        row(`LLM test server alone, max (32 connections; median of ${ROUNDS})`, llmMax, '', cpu(llmMaxes)),
        row(`POST /v1/rewrite, max (32 connections; median of ${ROUNDS})`, rewriteMax, '', cpu(rewriteMaxes)),
        ...(inferMax ? [row('POST /v1/personas/infer, max (32 connections)', inferMax, '24 real users, varied bodies')] : []),
        ...(inferFixed ? [row('POST /v1/personas/infer, 2,000/s offered', inferFixed)] : []),
        '',
        `Rounds (at 1,000/s: LLM p50/p99 → rewrite req/s, p50/p99, ZIPP CPU ms/req; max: LLM → rewrite req/s): ${llmFixed
          .map(
            (l, i) =>
              `${l.p50}/${l.p99} → ${Math.round(rewriteFixed[i]!.rps)}, ${rewriteFixed[i]!.p50}/${rewriteFixed[i]!.p99}, ${rewriteFixed[i]!.cpuMsPerRequest?.toFixed(3)}; ` +
              `${Math.round(llmMaxes[i]!.rps)} → ${Math.round(rewriteMaxes[i]!.rps)}`,
          )
          .join(' | ')}.`,
        '',
        `- Rewrite throughput ≥ 1,000 req/s: ${verdict(rewriteMax.rps >= 1000)} (median ${Math.round(rewriteMax.rps)}/s at 32 connections; ${Math.round(rewriteMid.rps)}/s of 1,000/s offered).`,
        `- Rewrite p99 overhead ≤ 20 ms at 1,000/s: ${verdict(overhead99 <= 20 && keptUp)} (p99 ${overhead99} ms over the LLM alone in the median round; ` +
          `ZIPP answered ${Math.round(median(rewriteFixed.map((r) => r.rps)))}/s of 1,000/s offered — the overhead counts only where it kept up).`,
        inferMax
          ? `- Infer throughput ≥ 2,000 req/s: ${verdict(inferMax.rps >= 2000)} (${Math.round(inferMax.rps)}/s).`
          : '- Infer: not measured (no encoder model loaded).',
        `- CPU per rewrite: ZIPP ${zippCpu.toFixed(3)} ms, the LLM test server ${llmCpu.toFixed(3)} ms, autocannon ${driverCpu.toFixed(3)} ms (medians over the runs). ` +
          `One request through the stack costs ~${(zippCpu + llmCpu + driverCpu).toFixed(2)} ms of CPU, so ${os.cpus().length} fully free cores top out near ` +
          `${Math.round((1000 * os.cpus().length) / (zippCpu + llmCpu + driverCpu))}/s; ZIPP alone on one free core, ~${Math.round(1000 / zippCpu)}/s.`,
        `- Load average (1, 5, 15 min) at the start: ${loadAtStart}; at the end: ${loadavg()} on ${os.cpus().length} cores (LLM server, ZIPP and autocannon share them with anything else running).`,
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
