import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Env } from '../../shared/llm/settings.ts';
import { emptyUsage } from '../../shared/schemas/llm.ts';
import { createEnginePool } from '../engines/config.ts';
import { seedsFor } from '../engines/presets.ts';
import type { GenerationRequest } from '../engines/types.ts';
import { ClipEmbedder } from '../eval/clip.ts';
import { InputError } from '../../shared/errors.ts';
import { serializeConfig, type BenchConfig } from './config.ts';
import { loadBenchDataset } from './dataset.ts';
import { clipSpaces } from './embeddings.ts';
import { resolveLlms, type ClientFactory } from './llms.ts';
import { writeManifest, type Manifest } from './manifest.ts';
import { methodLabel, usesLlm, usesPersona } from './methods.ts';
import { personaSourceOf } from './persona.ts';
import { referenceImages } from './reference.ts';
import { writeReport, type ReportFiles } from './report/write.ts';
import { computeResults, type BenchResults } from './results.ts';
import { quietProgress, RunContext, type BenchProgress, type WorkDone } from './run-context.ts';
import { embedPrompts, makePersonas, makeRewrites, planSamples, renderAndEmbed } from './stages.ts';
import { StaticFeatures } from './static-features.ts';
import { BenchStore } from './store.ts';

export type { BenchProgress, BenchStage, WorkDone } from './run-context.ts';

/**
 * One benchmark run, resumable: every unit (persona, rewrite, image, embedding, metric) is looked up in
 * the run directory before it is made and stored the moment it is finished, so running the same command
 * again does no new work, and a run cut off midway picks up where it stopped.
 *
 *   dataset → personas (LLM, where the dataset has none) → rewrites (LLM × method × user × query)
 *   → images (engine pool, content-addressed cache) + CLIP embeddings → prompt embeddings → metrics
 *   → manifest + report
 */
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

export interface RunSummary {
  outDir: string;
  files: ReportFiles;
  work: WorkDone;
  results: BenchResults;
  manifest: Manifest;
}

export async function runBench(config: BenchConfig, options: RunOptions): Promise<RunSummary> {
  const { outDir } = options;
  const env = options.env ?? process.env;
  await mkdir(outDir, { recursive: true });
  const store = new BenchStore(join(outDir, 'bench.db'));
  const ctx = new RunContext(config, store, options.progress ?? quietProgress, options.signal, anySignal(options.signal, options.stopping));
  try {
    const methods = config.methods;
    // Missing LLM settings fail before the dataset is read.
    let llms = methods.some(usesLlm) ? resolveLlms(config.llms, env, options.clientFactory) : [];
    const { dataset, selected } = await loadBenchDataset(config.dataset);
    ctx.progress.log(`${dataset.name}: ${selected.length} of ${dataset.users.length} users, ${config.dataset.queriesPerUser} prompts each, methods ${methods.map((m) => m.id).join(', ')}`);

    const hasStatic = methods.some((m) => m.method === 'static');
    // Persona methods need everyone's persona; the static baseline only that of users without history.
    const personaUsers = methods.some(usesPersona) ? selected : hasStatic ? selected.filter((u) => u.history.length === 0) : [];
    if (llms.length === 0 && personaUsers.some((u) => personaSourceOf(u) === 'history')) llms = resolveLlms(config.llms, env, options.clientFactory);
    const personaLlm = config.personaLlm ? llms.find((l) => l.name === config.personaLlm) : llms[0];
    if (config.personaLlm && !personaLlm) throw new InputError(`personaLlm: no LLM named ${config.personaLlm}; use one of ${llms.map((l) => l.name).join(', ')}`);
    for (const l of llms) ctx.usage[l.name] ??= emptyUsage();

    const personas = await makePersonas(ctx, personaUsers, personaLlm);
    const statics = hasStatic ? new StaticFeatures(dataset.users) : undefined;
    const features = new Map(selected.map((u) => [u.id, statics?.featuresOf({ history: u.history, persona: personas.get(u.id)?.text }) ?? []]));
    const rewrites = await makeRewrites(ctx, llms, methods, selected, personas);

    const pool = createEnginePool({ ...config.engine, cacheDir: config.engine.cacheDir ?? join(outDir, 'images') }, { env });
    const request = (prompt: string, seed: number): GenerationRequest => ({ prompt, seed, model: config.model, ...config.generation });
    const samples = planSamples(methods, llms, selected, rewrites, features, seedsFor(config.seeds), (prompt, seed) => pool.keyOf(request(prompt, seed)));
    const reference = await referenceImages(config, selected, pool, request);
    const wanted = new Map<string, GenerationRequest>([...samples.map((s) => [s.image, request(s.prompt, s.seed)] as const), ...reference.generated.map((r) => [r.key, r.request] as const)]);

    const clip = ClipEmbedder.create({ ...(config.clip.model ? { model: config.clip.model } : {}), batchSize: config.clip.batchSize, dtype: config.clip.dtype }, env);
    const spaces = clipSpaces(clip, config.clip.dtype);
    try {
      await renderAndEmbed(ctx, pool, clip, spaces, wanted, reference);
      await embedPrompts(ctx, clip, spaces, samples);
    } finally {
      await clip.dispose();
    }

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
      features: hasStatic ? Object.fromEntries(features) : {},
      usage: ctx.usage,
      guard: rewrites.guard,
      images: { unique: new Set(samples.map((s) => s.image)).size, references: reference.generated.length + reference.files.length },
    };
    await writeManifest(outDir, manifest);

    ctx.progress.stage('metrics', new Set(samples.map((s) => `${s.llm}|${s.method}`)).size);
    const results = await computeResults(manifest, store, (d) => ctx.progress.update(d));
    ctx.work.metrics = results.metrics;
    const files = await writeReport(outDir, manifest, results);
    return { outDir, files, work: ctx.work, results, manifest };
  } finally {
    store.close();
  }
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  return given.length <= 1 ? given[0] : AbortSignal.any(given);
}
