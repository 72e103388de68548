import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Env } from '../../shared/llm/settings.ts';
import { rewritePrompt } from '../../shared/rewrite/index.ts';
import { addUsage, emptyUsage, type Usage } from '../../shared/schemas/llm.ts';
import type { RewriteResult } from '../../shared/schemas/rewrite.ts';
import type { BenchUser } from '../datasets/types.ts';
import { createEnginePool } from '../engines/config.ts';
import type { EnginePool } from '../engines/pool.ts';
import { seedsFor } from '../engines/presets.ts';
import type { GenerationRequest } from '../engines/types.ts';
import { ClipEmbedder } from '../eval/clip.ts';
import { InputError } from '../eval/input-error.ts';
import { forEachLimit } from './concurrency.ts';
import { serializeConfig, type BenchConfig } from './config.ts';
import { hasLocalReferences, loadBenchDataset } from './dataset.ts';
import { clipSpaces, embedMissing, textKey } from './embeddings.ts';
import { resolveLlms, type BenchLlm, type ClientFactory } from './llms.ts';
import { writeManifest, type GuardCounts, type Manifest, type Sample } from './manifest.ts';
import { rewriteRequestOf } from './method-prompt.ts';
import { methodLabel, usesLlm, usesPersona, type MethodSpec } from './methods.ts';
import { PERSONA_FROM_HISTORY, PERSONA_HISTORY_PROMPTS, personaFor, personaSourceOf, type BenchPersona } from './persona.ts';
import { writeReport, type ReportFiles } from './report/write.ts';
import { computeResults, type BenchResults } from './results.ts';
import { StaticFeatures, withFeatures } from './static-features.ts';
import { BenchStore, unitKey } from './store.ts';

/**
 * One benchmark run, resumable: every unit (persona, rewrite, image, embedding, metric) is looked up in
 * the run directory before it is made and stored the moment it is finished, so running the same command
 * again does no new work, and a run cut off midway picks up where it stopped.
 *
 *   dataset → personas (LLM, where the dataset has none) → rewrites (LLM × method × user × query)
 *   → images (engine pool, content-addressed cache) → CLIP embeddings → metrics → manifest + report
 */
export type BenchStage = 'personas' | 'rewrites' | 'images' | 'texts' | 'metrics';

export interface BenchProgress {
  /** A stage begins with this many items. */
  stage(name: BenchStage, total: number): void;
  /** Items of the current stage finished so far. */
  update(done: number): void;
  log(line: string): void;
}

export const quietProgress: BenchProgress = { stage() {}, update() {}, log() {} };

export interface RunOptions {
  outDir: string;
  env?: Env;
  clientFactory?: ClientFactory;
  progress?: BenchProgress;
  /** Aborts LLM and engine requests in flight. */
  signal?: AbortSignal;
  /** Start no new unit (what is in flight finishes and is stored), then stop: a server shutting down. */
  stopping?: AbortSignal;
}

/** What this invocation did (not what earlier ones did): zero everywhere on a rerun. */
export interface WorkDone {
  personas: { made: number; cached: number };
  rewrites: { made: number; cached: number };
  images: { generated: number; cached: number; embedded: number };
  texts: { embedded: number };
  metrics: { computed: number; cached: number };
  /** LLM usage of this invocation, per LLM name. */
  usage: Record<string, Usage>;
}

export interface RunSummary {
  outDir: string;
  files: ReportFiles;
  work: WorkDone;
  results: BenchResults;
  manifest: Manifest;
}

/** Images generated (and embedded) per round: bounds memory and keeps every engine URL busy. */
const IMAGE_CHUNK = 64;

export async function runBench(config: BenchConfig, options: RunOptions): Promise<RunSummary> {
  const { outDir, signal } = options;
  const stop = anySignal(signal, options.stopping);
  const env = options.env ?? process.env;
  const progress = options.progress ?? quietProgress;
  await mkdir(outDir, { recursive: true });
  const store = new BenchStore(join(outDir, 'bench.db'));
  const work: WorkDone = {
    personas: { made: 0, cached: 0 },
    rewrites: { made: 0, cached: 0 },
    images: { generated: 0, cached: 0, embedded: 0 },
    texts: { embedded: 0 },
    metrics: { computed: 0, cached: 0 },
    usage: {},
  };
  const spend = (llm: string, u: Usage) => (work.usage[llm] = addUsage(work.usage[llm] ?? emptyUsage(), u));
  try {
    const methods = config.methods;
    const llmMethods = methods.filter(usesLlm);
    // Missing LLM settings fail before the dataset is read.
    let llms = llmMethods.length > 0 ? resolveLlms(config.llms, env, options.clientFactory) : [];
    const { dataset, selected } = await loadBenchDataset(config.dataset);
    progress.log(`${dataset.name}: ${selected.length} of ${dataset.users.length} users, ${config.dataset.queriesPerUser} prompts each, methods ${config.methods.map((m) => m.id).join(', ')}`);
    const personaUsers = methods.some(usesPersona) ? selected : methods.some((m) => m.method === 'static') ? selected.filter((u) => u.history.length === 0) : [];
    if (llms.length === 0 && personaUsers.some((u) => personaSourceOf(u) === 'history')) llms = resolveLlms(config.llms, env, options.clientFactory);
    const personaLlm = config.personaLlm ? llms.find((l) => l.name === config.personaLlm) : llms[0];
    if (config.personaLlm && !personaLlm) throw new InputError(`personaLlm: no LLM named ${config.personaLlm}; use one of ${llms.map((l) => l.name).join(', ')}`);
    const totalUsage: Record<string, Usage> = Object.fromEntries(llms.map((l) => [l.name, emptyUsage()]));
    const charge = (llm: string, u: Usage) => (totalUsage[llm] = addUsage(totalUsage[llm]!, u));

    // Personas.
    const personas = new Map<string, BenchPersona>();
    progress.stage('personas', personaUsers.length);
    let personasDone = 0;
    await forEachLimit(
      personaUsers,
      config.concurrency,
      async (user) => {
        const source = personaSourceOf(user);
        if (!source) throw new InputError(`user ${user.id} has no persona, demographics or history, so persona methods cannot run for them; leave them out (dataset.users)`);
        let persona: BenchPersona | undefined;
        if (source === 'history') {
          const llm = personaLlm!;
          const key = unitKey({ unit: 'persona', template: PERSONA_FROM_HISTORY.ref, llm: llmIdentity(llm), prompts: user.history.slice(-PERSONA_HISTORY_PROMPTS) });
          persona = store.getUnit<BenchPersona>('persona', key);
          if (persona) work.personas.cached++;
          else {
            persona = (await personaFor(user, () => llm.client, signal))!;
            store.putUnit('persona', key, persona);
            work.personas.made++;
            spend(llm.name, persona.usage);
          }
          charge(llm.name, persona.usage);
        } else persona = await personaFor(user, () => llms[0]!.client, signal);
        personas.set(user.id, persona!);
        progress.update(++personasDone);
      },
      stop,
    );

    const statics = methods.some((m) => m.method === 'static') ? new StaticFeatures(dataset.users) : undefined;
    const features = new Map(selected.map((u) => [u.id, statics?.featuresOf({ history: u.history, persona: personas.get(u.id)?.text }) ?? []]));

    // Rewrites.
    const finalPrompts = new Map<string, string>();
    const guard: Record<string, GuardCounts> = {};
    const tasks = llms.flatMap((llm) => llmMethods.flatMap((spec) => selected.flatMap((user) => user.queries.map((_, q) => ({ llm, spec, user, q })))));
    progress.stage('rewrites', tasks.length);
    let rewritesDone = 0;
    await Promise.all(
      llms.map((llm) =>
        forEachLimit(
          tasks.filter((t) => t.llm === llm),
          config.concurrency,
          async ({ spec, user, q }) => {
            const request = rewriteRequestOf(spec, { prompt: user.queries[q]!, persona: personas.get(user.id)?.text, history: user.history, temperature: llm.temperature })!;
            const key = unitKey({ unit: 'rewrite', llm: llmIdentity(llm), request });
            let result = store.getUnit<RewriteResult>('rewrite', key);
            if (result) work.rewrites.cached++;
            else {
              result = await rewritePrompt(llm.client, request, signal ? { signal } : {});
              store.putUnit('rewrite', key, result);
              work.rewrites.made++;
              spend(llm.name, result.usage);
            }
            charge(llm.name, result.usage);
            finalPrompts.set(cellKey(llm.name, spec.id, user.id, q), result.rewritten);
            const g = (guard[`${llm.name}|${spec.id}`] ??= { passed: 0, retried: 0, failed: 0 });
            g[result.guard]++;
            progress.update(++rewritesDone);
          },
          stop,
        ),
      ),
    );

    // Samples: every (LLM, method, user, query) cell rendered with each seed.
    const pool = createEnginePool({ ...config.engine, cacheDir: config.engine.cacheDir ?? join(outDir, 'images') });
    const request = (prompt: string, seed: number): GenerationRequest => ({ prompt, seed, model: config.model, ...config.generation });
    const seeds = seedsFor(config.seeds);
    const samples: Sample[] = [];
    for (const spec of methods) {
      for (const llm of usesLlm(spec) ? llms.map((l) => l.name) : [null]) {
        for (const user of selected) {
          user.queries.forEach((original, q) => {
            const prompt = llm === null ? localPrompt(spec, original, features.get(user.id)!) : finalPrompts.get(cellKey(llm, spec.id, user.id, q))!;
            for (const seed of seeds) {
              samples.push({ llm, method: spec.id, user: user.id, query: q, seed, original, prompt, image: pool.keyOf(request(prompt, seed)), text: textKey(original) });
            }
          });
        }
      }
    }

    // Images and their embeddings, chunk by chunk; the CLIP model loads only if something is missing.
    const clip = ClipEmbedder.create({ ...(config.clip.model ? { model: config.clip.model } : {}), batchSize: config.clip.batchSize, dtype: config.clip.dtype }, env);
    const spaces = clipSpaces(clip, config.clip.dtype);
    const reference = await referenceImages(config, selected, pool, request);
    const wanted = new Map<string, GenerationRequest>();
    for (const s of samples) wanted.set(s.image, request(s.prompt, s.seed));
    for (const r of reference.generated) wanted.set(r.key, r.request);
    const missing = [...wanted].filter(([key]) => !store.hasEmbedding(spaces.image, key));
    progress.stage('images', missing.length + reference.files.filter((f) => !store.hasEmbedding(spaces.image, f.key)).length);
    let imagesDone = 0;
    for (let start = 0; start < missing.length; start += IMAGE_CHUNK) {
      stop?.throwIfAborted();
      const chunk = missing.slice(start, start + IMAGE_CHUNK).map(([, r]) => r);
      const made = await pool.generateAll(chunk, undefined, signal);
      work.images.embedded += await embedMissing(store, spaces.image, made.map((m) => ({ key: m.key, input: m.path ?? m.bytes })), (inputs) => clip.embedImages(inputs), config.clip.batchSize, undefined, signal);
      imagesDone += chunk.length;
      progress.update(imagesDone);
    }
    work.images.embedded += await embedMissing(store, spaces.image, reference.files.map((f) => ({ key: f.key, input: f.path })), (inputs) => clip.embedImages(inputs), config.clip.batchSize, (d) => progress.update(imagesDone + d), signal);
    work.images.generated = pool.stats.generated;
    work.images.cached = pool.stats.cacheHits;

    const texts = [...new Map(samples.map((s) => [s.text, s.original]))].map(([key, input]) => ({ key, input }));
    progress.stage('texts', texts.filter((t) => !store.hasEmbedding(spaces.text, t.key)).length);
    work.texts.embedded = await embedMissing(store, spaces.text, texts, (inputs) => clip.embedTexts(inputs), config.clip.batchSize, (d) => progress.update(d), signal);
    await clip.dispose();

    const manifest: Manifest = {
      version: 1,
      createdAt: new Date().toISOString(),
      config: serializeConfig(config),
      dataset: { name: dataset.name, source: dataset.source, users: selected.length, totalUsers: dataset.users.length, queriesPerUser: config.dataset.queriesPerUser },
      engine: { kind: pool.kind, model: config.model, seeds: config.seeds },
      clip: { model: clip.model, ...spaces },
      llms: llms.map((l) => ({ name: l.name, model: l.model, baseUrl: l.baseUrl, ...(l.price ? { price: l.price } : {}) })),
      methods: methods.map((m) => ({ id: m.id, label: methodLabel(m), llm: usesLlm(m) })),
      samples,
      reference: { kind: reference.kind, images: [...reference.generated, ...reference.files].map((r) => ({ user: r.user, image: r.key })) },
      demographics: Object.fromEntries(selected.filter((u) => u.demographics).map((u) => [u.id, u.demographics!])),
      personas: Object.fromEntries([...personas].map(([u, p]) => [u, { source: p.source, text: p.text }])),
      features: Object.fromEntries(methods.some((m) => m.method === 'static') ? features : []),
      usage: totalUsage,
      guard,
      images: { unique: new Set(samples.map((s) => s.image)).size, references: reference.generated.length + reference.files.length },
    };
    await writeManifest(outDir, manifest);

    progress.stage('metrics', new Set(samples.map((s) => `${s.llm}|${s.method}`)).size);
    const results = await computeResults(manifest, store, (d) => progress.update(d));
    work.metrics = results.metrics;
    const files = await writeReport(outDir, manifest, results);
    return { outDir, files, work, results, manifest };
  } finally {
    store.close();
  }
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  return given.length <= 1 ? given[0] : AbortSignal.any(given);
}

/** What makes two LLMs' answers differ: endpoint, model and sampling temperature (never the key). */
const llmIdentity = (l: BenchLlm) => ({ baseUrl: l.baseUrl, model: l.model, temperature: l.temperature });

const cellKey = (llm: string, method: string, user: string, q: number) => JSON.stringify([llm, method, user, q]);

/** Methods that need no LLM: the original prompt, or it plus the user's fixed feature list. */
function localPrompt(spec: MethodSpec, original: string, features: readonly string[]): string {
  return spec.method === 'static' ? withFeatures(original, features) : original;
}

interface ReferenceSet {
  kind: 'dataset' | 'history' | 'none';
  /** History prompts rendered by the engine. */
  generated: { user: string; key: string; request: GenerationRequest }[];
  /** The dataset's own image files, keyed by their content. */
  files: { user: string; key: string; path: string }[];
}

/** CMMD's reference set: the dataset's images (auto, when all are local files), else renders of recent history prompts. */
async function referenceImages(
  config: BenchConfig,
  users: readonly BenchUser[],
  pool: EnginePool,
  request: (prompt: string, seed: number) => GenerationRequest,
): Promise<ReferenceSet> {
  const want = config.reference.kind;
  const kind = want === 'auto' ? (hasLocalReferences(users) ? 'dataset' : users.every((u) => u.history.length > 0) ? 'history' : 'none') : want;
  if (kind === 'none') return { kind, generated: [], files: [] };
  if (kind === 'dataset') {
    if (!hasLocalReferences(users)) throw new InputError('reference.kind: dataset needs every user to have reference images on local disk; use history or none');
    const files = await Promise.all(
      users.flatMap((u) => u.referenceImages!.map(async (path) => ({ user: u.id, path, key: `file:${createHash('sha256').update(await readFile(path)).digest('hex')}` }))),
    );
    return { kind, generated: [], files };
  }
  const generated = users.flatMap((u) =>
    u.history.slice(-config.reference.prompts).flatMap((prompt) =>
      seedsFor(config.reference.seeds).map((seed) => {
        const r = request(prompt, seed);
        return { user: u.id, key: pool.keyOf(r), request: r };
      }),
    ),
  );
  if (generated.length === 0) throw new InputError('reference.kind: history needs users with history prompts; use none');
  return { kind, generated, files: [] };
}
