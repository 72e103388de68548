import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as ortWeb from 'onnxruntime-web';
import type { ThroughputResult } from '../training-throughput.ts';
import { embedderFromConfig } from '../../../shared/embed/from-config.ts';
import { CommunityEncoder, type OrtModule } from '../../../shared/encoder/encoder.ts';
import { MODEL_FILES } from '../../../shared/encoder/manifest.ts';
import type { CommunityActivity } from '../../../shared/schemas/community.ts';
import { withDuckDb } from '../../../server/encoder/ingest/duckdb.ts';
import { ingest } from '../../../server/encoder/ingest/index.ts';
import { readUserLists } from '../../../server/encoder/evaluate.ts';
import { loadEncoder } from '../../../server/encoder/load.ts';
import type { PerfSuite } from '../suite.ts';

/**
 * The community encoder:
 * 1. training throughput of the shipped configuration on the vendored Reddit graph (user–community edges
 *    per second, peak memory), ZIPP's TensorFlow.js wasm kernels against TensorFlow.js' stock ones, each in a
 *    fresh process, and a PyTorch CPU peer (torch_peer.py) on the step shapes the ZIPP run recorded; target
 *    ≥ 15,000 edges/s, goal ≥ 1.5× PyTorch;
 * 2. inference for one user × 50 communities: onnxruntime-node p50 (target ≤ 1 ms) and onnxruntime-web WASM
 *    in Node p50 (target ≤ 5 ms), against the TensorFlow.js forward pass of the same user;
 * 3. batched onnxruntime-node users per second on real held-out users (target ≥ 10,000);
 * 4. the artifact the extension loads (target ≤ 8 MB);
 * 5. NDJSON ingestion MB/s, plain and zstd, on a generated ~100 MB Pushshift-style dump, against a
 *    line-by-line JSON.parse reader in Node.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MODEL_DIR = path.join(ROOT, 'models/zipp-encoder');
const run = promisify(execFile);

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');

async function timeIt(f: () => Promise<unknown>, runs: number, warmup = 20): Promise<{ p50: number; p90: number }> {
  for (let i = 0; i < warmup; i++) await f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    ts.push(performance.now() - t);
  }
  return { p50: quantile(ts, 0.5), p90: quantile(ts, 0.9) };
}

/** Users encoded per second by repeating a batch call for 3 seconds. */
async function usersPerSecond(call: () => Promise<unknown>, batchSize: number): Promise<number> {
  const t0 = performance.now();
  let users = 0;
  while (performance.now() - t0 < 3000) {
    await call();
    users += batchSize;
  }
  return users / ((performance.now() - t0) / 1000);
}

async function throughput(stock: boolean, shapesFile?: string): Promise<ThroughputResult> {
  const script = path.join(ROOT, 'test/perf/training-throughput.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, '--steps', '40', ...(stock ? ['--stock-kernels'] : []), ...(shapesFile ? ['--shapes', shapesFile] : [])], {
    cwd: ROOT,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ThroughputResult;
}

/**
 * The PyTorch CPU peer (torch_peer.py) on the step shapes the ZIPP run recorded, with Debian's python3-torch
 * (/usr/bin/python3; the pyenv python3 on PATH has no torch). Undefined, with the reason, when it cannot run.
 */
interface TorchPeer {
  edgesPerSecond: number;
  stepsPerSecond: number;
  peakRssMiB: number;
  torch: string;
  threads: number;
}
async function torchPeer(shapesFile: string): Promise<TorchPeer | { missing: string }> {
  const python = '/usr/bin/python3';
  try {
    await run(python, ['-c', 'import torch']);
  } catch {
    return { missing: `${python} cannot import torch (Debian: apt-get install python3-torch)` };
  }
  const { stdout } = await run(python, [path.join(ROOT, 'test/perf/torch_peer.py'), shapesFile], { cwd: ROOT, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as TorchPeer;
}

/** One user with 50 real vocabulary communities (the most active held-out users' lists, topped up). */
function fiftyCommunities(encoder: CommunityEncoder, users: CommunityActivity[][]): CommunityActivity[] {
  const seen = new Set<string>();
  const list: CommunityActivity[] = [];
  for (const u of [...users].sort((a, b) => b.length - a.length))
    for (const a of u) if (list.length < 50 && !seen.has(a.name) && encoder.vocabulary.lookup(a.name) !== undefined) (seen.add(a.name), list.push(a));
  for (let i = 0; list.length < 50; i++) {
    const name = encoder.vocabulary.name(i);
    if (!seen.has(name)) (seen.add(name), list.push({ name, posts: 0, comments: 1 + (i % 9) }));
  }
  return list;
}

async function generateDump(dir: string, targetBytes: number): Promise<{ plain: string; zstd: string }> {
  const plain = path.join(dir, 'dump.ndjson');
  const zstd = path.join(dir, 'dump.ndjson.zst');
  const names = (JSON.parse(readFileSync(path.join(MODEL_DIR, MODEL_FILES.manifest), 'utf8')) as { communities: { labels: string[] } }).communities.labels;
  // ~210 bytes per record: a Pushshift comment (or, one in ten, a submission) by one of 8,000 authors, each
  // active in 6 communities of the vocabulary — about ten records per (author, community), as in real dumps.
  const rows = Math.ceil(targetBytes / 210);
  await withDuckDb(async (db) => {
    await db.run(`CREATE TABLE names AS SELECT unnest([${names.map((n) => `'${n}'`).join(',')}]) AS name`);
    await db.run(`CREATE TABLE named AS SELECT row_number() OVER () - 1 AS k, name FROM names`);
    const select = `SELECT 'author_' || a AS author, n.name AS subreddit,
        CASE WHEN i % 10 = 0 THEN NULL ELSE 'comment ' || i || ' about the thread, with a few more words to make it typical length' END AS body,
        CASE WHEN i % 10 = 0 THEN 'submission title ' || i ELSE NULL END AS title,
        CASE WHEN i % 10 = 0 THEN false ELSE NULL END AS over_18,
        (i % 500)::INTEGER AS score, 1420070400 + i AS created_utc
      FROM (SELECT i, hash(i) % 8000 AS a, hash(i * 13) % 6 AS slot FROM range(${rows}) t(i)) r
      JOIN named n ON n.k = hash(r.a * 7 + r.slot) % ${names.length}`;
    await db.run(`COPY (${select}) TO '${plain}' (FORMAT json)`);
    await db.run(`COPY (${select}) TO '${zstd}' (FORMAT json, COMPRESSION zstd)`);
  });
  return { plain, zstd };
}

/** The obvious alternative: stream lines, JSON.parse each, count per (author, subreddit) in a Map. */
async function nodeLineReader(file: string): Promise<number> {
  const counts = new Map<string, number>();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const r = JSON.parse(line) as { author?: string; subreddit?: string };
    const key = `${r.author}\u0000${r.subreddit}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts.size;
}

const suite: PerfSuite = {
  name: 'encoder',
  description:
    'GATv2 encoder: training edges/s of the shipped config (target ≥ 15k) against stock TF.js kernels and a PyTorch CPU peer on the same step shapes (goal ≥ 1.5×), inference p50 for one user × 50 communities (onnxruntime-node ≤ 1 ms, onnxruntime-web WASM ≤ 5 ms), batched users/s (≥ 10k), artifact size (≤ 8 MB), NDJSON ingestion MB/s (plain, zstd).',
  async run(log) {
    const out: string[] = [];

    // 1. Training throughput.
    log('training throughput: ZIPP wasm kernels, then stock TensorFlow.js kernels (fresh processes)');
    const shapesDir = mkdtempSync(path.join(tmpdir(), 'zipp-bench-shapes-'));
    const shapesFile = path.join(shapesDir, 'steps.json');
    const fast = await throughput(false, shapesFile);
    const stock = await throughput(true);
    log('  PyTorch CPU peer on the same step shapes');
    const peer = await torchPeer(shapesFile).finally(() => rmSync(shapesDir, { recursive: true, force: true }));
    log(`  ${n0(fast.edgesPerSecond)} vs ${n0(stock.edgesPerSecond)} edges/s${'missing' in peer ? '' : `; PyTorch ${n0(peer.edgesPerSecond)}`}`);
    out.push(
      '### Training throughput (shipped configuration, vendored Reddit graph)',
      '',
      `Config: hidden ${fast.config.hidden}, ${fast.config.layers} layers × ${fast.config.heads} heads, ${fast.config.batchSize} users per step, ${fast.config.featureDim} text features, negatives: ${fast.config.negatives}, vocabulary ${n0(fast.vocabulary)}. ${fast.steps} timed steps after 3 warm-up steps, batch sampling included; edges = real (unpadded) user–community slots.`,
      '',
      '| kernels | edges/s | padded slots/s | steps/s | peak RSS | wasm heap |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| ZIPP (JS gather, blocked transpose, transpose-aware matMul) | **${n0(fast.edgesPerSecond)}** | ${n0(fast.slotsPerSecond)} | ${fast.stepsPerSecond.toFixed(2)} | ${fast.peakRssMiB.toFixed(0)} MiB | ${fast.wasmHeapMiB.toFixed(0)} MiB |`,
      `| baseline: stock TensorFlow.js wasm kernels | ${n0(stock.edgesPerSecond)} | ${n0(stock.slotsPerSecond)} | ${stock.stepsPerSecond.toFixed(2)} | ${stock.peakRssMiB.toFixed(0)} MiB | ${stock.wasmHeapMiB.toFixed(0)} MiB |`,
      'missing' in peer
        ? `| PyTorch CPU peer (test/perf/torch_peer.py) | not run: ${peer.missing} | | | | |`
        : `| PyTorch ${peer.torch} CPU peer, ${peer.threads} thread (test/perf/torch_peer.py, same step shapes) | ${n0(peer.edgesPerSecond)} | | ${peer.stepsPerSecond.toFixed(2)} | ${peer.peakRssMiB.toFixed(0)} MiB | |`,
      '',
      'missing' in peer
        ? 'PyTorch peer: not run on this machine.'
        : `ZIPP / PyTorch: ${(fast.edgesPerSecond / peer.edgesPerSecond).toFixed(2)}× (goal ≥ 1.5×: ${met(fast.edgesPerSecond / peer.edgesPerSecond >= 1.5)}); both single-threaded, same model sizes and the real padded step shapes of this run, PyTorch on random values of those shapes.`,
      '',
      `Speed-up over stock kernels: ${(fast.edgesPerSecond / stock.edgesPerSecond).toFixed(2)}×. Target ≥ 15,000 edges/s: ${met(fast.edgesPerSecond >= 15_000)}.`,
      '',
    );

    // 2–3. Inference.
    log('inference latency and batched throughput');
    const heldout = [...(await readUserLists(path.join(MODEL_DIR, 'heldout-interactions.csv'))).values()];
    const node1 = await loadEncoder(MODEL_DIR, { threads: 1 });
    const user = fiftyCommunities(node1, heldout);
    const prepared = await node1.prepare([user]);
    const nodeRun = await timeIt(() => node1.run(prepared), 500);
    const nodeEncode = await timeIt(() => node1.encode([user]), 500);
    ortWeb.env.wasm.numThreads = 1;
    const manifest = JSON.parse(readFileSync(path.join(MODEL_DIR, MODEL_FILES.manifest), 'utf8')) as { embedder: Parameters<typeof embedderFromConfig>[0] };
    const web = await CommunityEncoder.create({
      ort: ortWeb as unknown as OrtModule,
      model: new Uint8Array(readFileSync(path.join(MODEL_DIR, MODEL_FILES.onnx))),
      manifest,
      embedder: (await embedderFromConfig(manifest.embedder))!,
    });
    const webRun = await timeIt(() => web.run(prepared), 300);
    const webEncode = await timeIt(() => web.encode([user]), 300);
    // Baseline: the TensorFlow.js forward pass (wasm) the model was trained with, on the same prepared input.
    const { initBackend } = await import('../../../models/encoder/backend.ts');
    const { Trainer } = await import('../../../models/encoder/trainer.ts');
    const { EncoderConfig } = await import('../../../models/encoder/config.ts');
    const { unpackWeights } = await import('../../../models/encoder/params.ts');
    await initBackend('wasm');
    const weightIndex = JSON.parse(readFileSync(path.join(MODEL_DIR, 'weights.json'), 'utf8')) as { config: unknown; index: Parameters<typeof unpackWeights>[0] };
    const values = unpackWeights(weightIndex.index, new Uint8Array(readFileSync(path.join(MODEL_DIR, MODEL_FILES.weights))));
    const cfg = EncoderConfig.parse(weightIndex.config);
    const vocab = values.get('community.bias')![0][0]!;
    const featureDim = values.get('input.kernel')![0][0]!;
    // The model folder does not keep the vocabulary's text features, so the TF.js tables are built from the
    // free community vectors alone: same shapes and ops as the real forward pass, which is what is timed.
    const tfModel = new Trainer(cfg, { features: new Float32Array(vocab * featureDim), featureDim, communities: vocab }, values);
    const tables = tfModel.tables();
    const tfRun = await timeIt(async () => tfModel.encode(tables, prepared.neighbourhood, { features: prepared.extraFeatures, rows: prepared.extraCount }), 200);
    tables.values.forEach((t) => t.dispose());
    tables.embeddings.dispose();
    tables.prior.dispose();
    tfModel.dispose();
    out.push(
      '### Inference, one user × 50 communities',
      '',
      '| runtime | session run p50 | p90 | `encode()` p50 (inputs + run + read-out) | p90 |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| onnxruntime-node (1 thread) | **${nodeRun.p50.toFixed(3)} ms** | ${nodeRun.p90.toFixed(3)} ms | ${nodeEncode.p50.toFixed(3)} ms | ${nodeEncode.p90.toFixed(3)} ms |`,
      `| onnxruntime-web WASM in Node (1 thread) | **${webRun.p50.toFixed(3)} ms** | ${webRun.p90.toFixed(3)} ms | ${webEncode.p50.toFixed(3)} ms | ${webEncode.p90.toFixed(3)} ms |`,
      `| baseline: TensorFlow.js wasm forward (training code) | ${tfRun.p50.toFixed(3)} ms | ${tfRun.p90.toFixed(3)} ms | | |`,
      '',
      `Targets: onnxruntime-node p50 ≤ 1 ms ${met(nodeEncode.p50 <= 1)} (${(tfRun.p50 / nodeRun.p50).toFixed(1)}× faster than TF.js); onnxruntime-web WASM p50 ≤ 5 ms ${met(webEncode.p50 <= 5)}. 500 / 300 / 200 timed calls after 20 warm-up calls.`,
      '',
    );
    await web.release();
    await node1.release();

    const batchUsers = heldout.filter((u) => u.some((a) => node1.vocabulary.lookup(a.name) !== undefined)).slice(0, 256);
    const rows: string[] = [];
    let best = 0;
    for (const threads of [1, 2]) {
      const enc = await loadEncoder(MODEL_DIR, { threads });
      const batch = await enc.prepare(batchUsers);
      for (let i = 0; i < 10; i++) await enc.run(batch);
      const perSecond = await usersPerSecond(() => enc.run(batch), batchUsers.length);
      const fullPerSecond = await usersPerSecond(() => enc.encode(batchUsers), batchUsers.length);
      best = Math.max(best, perSecond);
      rows.push(`| ${threads} | ${n0(perSecond)} | ${n0(fullPerSecond)} |`);
      await enc.release();
    }
    out.push(
      '### Batched inference (onnxruntime-node)',
      '',
      `Batches of ${batchUsers.length} real held-out users (padded to the longest list), 3 s per row.`,
      '',
      '| threads | users/s, session run | users/s, `encode()` incl. input building and read-out |',
      '| ---: | ---: | ---: |',
      ...rows,
      '',
      `Target ≥ 10,000 users/s: ${met(best >= 10_000)}.`,
      '',
    );

    // 4. Artifact size.
    const loaded = [MODEL_FILES.onnx, MODEL_FILES.manifest, MODEL_FILES.communityEmbeddings].map((f) => [f, statSync(path.join(MODEL_DIR, f)).size] as const);
    const total = loaded.reduce((s, [, b]) => s + b, 0);
    out.push(
      '### Artifact the extension loads',
      '',
      '| file | size |',
      '| --- | ---: |',
      ...loaded.map(([f, b]) => `| \`${f}\` | ${(b / 2 ** 20).toFixed(2)} MiB |`),
      `| **total** | **${(total / 2 ** 20).toFixed(2)} MiB** |`,
      '',
      `Target ≤ 8 MB: ${met(total <= 8e6)}.`,
      '',
    );

    // 5. Ingestion.
    log('generating a ~100 MB NDJSON dump (plain and zstd)');
    const dir = mkdtempSync(path.join(tmpdir(), 'zipp-bench-ingest-'));
    try {
      const dump = await generateDump(dir, 100e6);
      const plainBytes = statSync(dump.plain).size;
      const zstdBytes = statSync(dump.zstd).size;
      // Best of two runs each, after one small warm-up ingest (DuckDB loads its JSON extension on first use).
      await ingest({ inputs: [path.join(ROOT, 'test/fixtures/encoder/pushshift-sample.ndjson')], maxErrorRate: 1 });
      const best = async <T extends { seconds: number }>(f: () => Promise<T>) => {
        const a = await f();
        const b = await f();
        return a.seconds <= b.seconds ? a : b;
      };
      const timeIngest = (file: string) =>
        best(async () => {
          const t = performance.now();
          const r = await ingest({ inputs: [file], minCommunityUsers: 1 });
          return { seconds: (performance.now() - t) / 1000, edges: r.report.final.edges };
        });
      log('ingesting plain, zstd, then the Node line reader');
      const plain = await timeIngest(dump.plain);
      const zst = await timeIngest(dump.zstd);
      const { seconds: nodeSeconds } = await best(async () => {
        const t = performance.now();
        await nodeLineReader(dump.plain);
        return { seconds: (performance.now() - t) / 1000 };
      });
      const mbps = (bytes: number, s: number) => (bytes / 1e6 / s).toFixed(1);
      out.push(
        '### NDJSON ingestion (generated Pushshift-style dump)',
        '',
        `${(plainBytes / 1e6).toFixed(0)} MB of NDJSON (${n0(Math.ceil(100e6 / 210))} records), ${(zstdBytes / 1e6).toFixed(1)} MB as zstd; aggregated to ${n0(plain.edges)} user–community edges with the default filters.`,
        '',
        '| input | seconds | MB/s of NDJSON | MB/s of file read |',
        '| --- | ---: | ---: | ---: |',
        `| DuckDB, plain \`.ndjson\` | ${plain.seconds.toFixed(2)} | **${mbps(plainBytes, plain.seconds)}** | ${mbps(plainBytes, plain.seconds)} |`,
        `| DuckDB, \`.ndjson.zst\` | ${zst.seconds.toFixed(2)} | **${mbps(plainBytes, zst.seconds)}** | ${mbps(zstdBytes, zst.seconds)} |`,
        `| baseline: Node readline + JSON.parse + Map | ${nodeSeconds.toFixed(2)} | ${mbps(plainBytes, nodeSeconds)} | ${mbps(plainBytes, nodeSeconds)} |`,
        '',
        `Best of two runs each. DuckDB on plain NDJSON runs at ${(nodeSeconds / plain.seconds).toFixed(2)}× the speed of the Node line reader, which does less (no validation, filters, name normalisation or malformed-line report), holds everything in memory and cannot read zstd on Node 20; DuckDB aggregates out of core. Times include the filters and reading the aggregated graph back into JavaScript.`,
        '',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { markdown: out.join('\n') };
  },
};

export default suite;
