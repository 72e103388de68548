import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Env } from '../../shared/llm/settings.ts';
import { emptyUsage } from '../../shared/schemas/llm.ts';
import { createEnginePool } from '../engines/config.ts';
import { seedsFor } from '../engines/presets.ts';
import type { GenerationRequest } from '../engines/types.ts';
import { ClipEmbedder } from '../eval/clip.ts';
import { InputError } from '../../shared/errors.ts';
import type { BenchUser } from '../datasets/types.ts';
import { DEFAULT_ENCODER_DIR } from '../runtime/package-paths.ts';
import { DEFAULT_MIN_IMAGES, PAPER_TEMPERATURE, serializeConfig, type BenchConfig } from './config.ts';
import { loadBenchDataset, type BenchDataset } from './dataset.ts';
import { clipSpaces } from './embeddings.ts';
import { planIpf } from './ipf.ts';
import { resolveLlms, type ClientFactory } from './llms.ts';
import { MANIFEST_VERSION, writeManifest, type Manifest } from './manifest.ts';
import { expandImportance, methodLabel, usesLlm, usesPersona, type MethodSpec } from './methods.ts';
import { postingAccuracy, prepareMining, type Mining } from './mined.ts';
import { personaSourceOf } from './persona.ts';
import { referenceImages, referenceKindOf, type ReferenceKind } from './reference.ts';
import { shortenQueries, type ShorteningRecord } from './shorten.ts';
import { splitHistory, withoutHeldOut, type UserSplit } from './split.ts';
import { writeReport, type ReportFiles } from './report/write.ts';
import { computeResults, type BenchResults } from './results.ts';
import { quietProgress, RunContext, type BenchProgress, type WorkDone } from './run-context.ts';
import { embedPrompts, makePersonas, makeRewrites, personaKey, planSamples, renderAndEmbed } from './stages.ts';
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
  /**
   * Checks (and may refuse, by throwing) every file a dataset file names, such as ZIP-Bench's reference
   * images: the server confines them to its data directory, as it does the config's own paths.
   */
  confine?: (path: string, field: string) => string;
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
  let mining: Mining | undefined;
  try {
    // Missing LLM settings fail before the dataset is read.
    let llms = config.methods.some(usesLlm) ? resolveLlms(config.llms, env, options.clientFactory) : [];
    if (config.protocol === 'paper') checkPaperTemperature(llms);
    const loaded = confineFiles(await loadBenchDataset(config.dataset), options.confine);
    const mined = loaded.selected.some((u) => personaSourceOf(u) === 'mined');
    const methods = mined ? expandImportance(config.methods, config.importance) : config.methods;
    if (!mined && config.importance.join() !== 'attention') {
      throw new InputError(`importance: only personas mined from community lists use it (dataset kind communities); the ${loaded.dataset.name} dataset's personas come from ${personaSourceOf(loaded.selected[0]!) ?? 'nowhere'}: leave importance out`);
    }
    // Bad IPF settings (an axis without targets) fail now, not after hours of rendering.
    const demographics = Object.fromEntries(loaded.selected.filter((u) => u.demographics).map((u) => [u.id, u.demographics!]));
    await planIpf(config.targets, config.ipf.axes, demographics);

    // The CMMD reference is split off each user's history first: no method ever sees it.
    const referenceKind = referenceKindOf(config, loaded.selected);
    const splits = new Map<string, UserSplit>();
    /** Per user, the texts left out of a mined persona's evidence for being (or quoting) a held-out prompt. */
    const withheld: Record<string, number> = {};
    const withContext = (u: BenchUser): BenchUser => {
      let user = u;
      if (referenceKind === 'history') {
        const split = splitHistory(u, config.reference.prompts, config.reference.seed);
        splits.set(u.id, split);
        user = { ...u, history: split.context };
      }
      if (!u.texts?.length) return user;
      const kept = withoutHeldOut(u.texts, [...u.queries, ...(u.inputs ?? []), ...(splits.get(u.id)?.reference ?? [])]);
      if (kept.withheld) withheld[u.id] = kept.withheld;
      return { ...user, texts: kept.texts };
    };
    const dataset = { ...loaded.dataset, users: loaded.dataset.users.map(withContext) };
    const byId = new Map(dataset.users.map((u) => [u.id, u]));
    let selected = loaded.selected.map((u) => byId.get(u.id)!);
    checkHistory(methods, selected);
    if (config.reference.minImages !== undefined) checkMinImages(config, referenceKind, selected, splits);
    const encoderDir = config.encoder.model ?? DEFAULT_ENCODER_DIR;
    // Loads the encoder and refuses users it knows nothing about, before any request.
    if (mined) mining = await prepareMining(selected, config.importance, encoderDir);
    ctx.progress.log(`${dataset.name}: ${selected.length} of ${dataset.users.length} users, ${config.dataset.queriesPerUser} prompts each, protocol ${config.protocol}, methods ${methods.map((m) => m.id).join(', ')}`);

    const hasStatic = methods.some((m) => m.method === 'static');
    // Persona methods need everyone's persona; the static baseline only that of users without history.
    const personaUsers = methods.some(usesPersona) ? selected : hasStatic ? selected.filter((u) => u.history.length === 0) : [];
    if (llms.length === 0 && personaUsers.some((u) => ['history', 'mined'].includes(personaSourceOf(u) ?? ''))) llms = resolveLlms(config.llms, env, options.clientFactory);
    const shortenByLlm = config.dataset.shorten === 'llm' && selected.some((u) => u.inputSources?.includes('rule'));
    if (llms.length === 0 && shortenByLlm) llms = resolveLlms(config.llms, env, options.clientFactory);
    if (config.protocol === 'paper') checkPaperTemperature(llms);
    const personaLlm = config.personaLlm ? llms.find((l) => l.name === config.personaLlm) : llms[0];
    if (config.personaLlm && !personaLlm) throw new InputError(`personaLlm: no LLM named ${config.personaLlm}; use one of ${llms.map((l) => l.name).join(', ')}`);
    for (const l of llms) ctx.usage[l.name] ??= emptyUsage();

    // PIP, Tailored Visions' way: the persona LLM shortens the queries the data has no short form for.
    let shortening: ShorteningRecord | undefined;
    if (shortenByLlm) ({ users: selected, record: shortening } = await shortenQueries(ctx, selected, personaLlm!));

    const personas = await makePersonas(ctx, personaUsers, personaLlm, mining ? { mining, sources: config.importance } : undefined);
    const statics = hasStatic ? new StaticFeatures(dataset.users) : undefined;
    const firstPersona = (u: BenchUser) => personas.get(personaKey(u.id, personaSourceOf(u) === 'mined' ? config.importance[0] : undefined))?.text;
    const features = new Map(selected.map((u) => [u.id, statics?.featuresOf({ history: u.history, persona: firstPersona(u) }) ?? []]));
    const rewrites = await makeRewrites(ctx, llms, methods, selected, personas);

    const pool = createEnginePool({ ...config.engine, cacheDir: config.engine.cacheDir ?? join(outDir, 'images') }, { env });
    const request = (prompt: string, seed: number): GenerationRequest => ({ prompt, seed, model: config.model, ...config.generation });
    const samples = planSamples(methods, llms, selected, rewrites, features, seedsFor(config.seeds), (prompt, seed) => pool.keyOf(request(prompt, seed)));
    const reference = await referenceImages(referenceKind, config, selected, splits, pool, request);
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
      version: MANIFEST_VERSION,
      createdAt: new Date().toISOString(),
      protocol: config.protocol,
      config: serializeConfig(config),
      dataset: {
        name: dataset.name,
        source: dataset.source,
        users: selected.length,
        totalUsers: dataset.users.length,
        queriesPerUser: config.dataset.queriesPerUser,
        ...(shortening ? { note: SHORTENED_BY_LLM } : dataset.note ? { note: dataset.note } : {}),
        ...(shortening ? { shortening } : {}),
        ...(Object.keys(withheld).length ? { textsWithheld: withheld } : {}),
      },
      engine: { kind: pool.kind, model: config.model, seeds: config.seeds },
      clip: { model: clip.model, ...spaces },
      llms: llms.map((l) => ({ name: l.name, model: l.model, baseUrl: l.baseUrl, ...(l.price ? { price: l.price } : {}) })),
      methods: methods.map((m) => ({ id: m.id, label: methodLabel(m), llm: usesLlm(m), ...(m.importance ? { importance: m.importance } : {}) })),
      samples,
      reference: {
        kind: reference.kind,
        images: [...reference.generated, ...reference.files].map((r) => ({ user: r.user, image: r.key })),
        minImages: config.reference.minImages ?? DEFAULT_MIN_IMAGES,
        ...(reference.kind === 'history'
          ? { split: { seed: config.reference.seed, users: Object.fromEntries(selected.map((u) => [u.id, { reference: splits.get(u.id)?.reference ?? [], context: u.history.length }])) } }
          : {}),
      },
      demographics,
      personas: Object.fromEntries(
        [...personas].map(([key, p]) => [
          key,
          {
            user: key.includes('@') && p.importance ? key.slice(0, key.lastIndexOf('@')) : key,
            source: p.source,
            ...(p.importance ? { importance: p.importance } : {}),
            text: p.text,
            ...(p.template ? { template: p.template } : {}),
            ...(p.evidence ? { evidence: p.evidence } : {}),
            warnings: p.warnings,
          },
        ]),
      ),
      ...(mined ? { importance: { sources: config.importance, encoder: encoderDir, postingAccuracy: await postingAccuracy(selected, config.importance, encoderDir) } } : {}),
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
    await mining?.encoder?.release();
    store.close();
  }
}

const SHORTENED_BY_LLM =
  "rewrite input: the test query shortened to under 10 words (the record's `query`, else an LLM's short query, as Tailored Visions had ChatGPT write them); CLIPScore against the full prompt";

/** The dataset with every local file it names passed through `confine` (URLs are never fetched). */
function confineFiles(loaded: BenchDataset, confine: RunOptions['confine']): BenchDataset {
  if (!confine) return loaded;
  const users = new Map(
    loaded.dataset.users.map((u) => [
      u.id,
      u.referenceImages ? { ...u, referenceImages: u.referenceImages.map((p) => (/^[a-z]+:\/\//i.test(p) ? p : confine(p, `dataset.path: user ${u.id}'s reference image ${p}`))) } : u,
    ]),
  );
  return { dataset: { ...loaded.dataset, users: [...users.values()] }, selected: loaded.selected.map((u) => users.get(u.id)!) };
}

/** Methods that show history prompts need every user to have some left after the reference split. */
function checkHistory(methods: readonly MethodSpec[], users: readonly BenchUser[]): void {
  const needs = methods.find((m) => m.k !== undefined);
  if (!needs) return;
  const without = users.filter((u) => u.history.length === 0);
  if (without.length === 0) return;
  throw new InputError(
    `methods: ${needs.id} shows earlier prompts, but ${without.length} user(s) have none left${without.length ? ` (e.g. ${without[0]!.id})` : ''} after the reference split; leave those users out (dataset.users), give them history (communities: per-user prompts in dataset.prompts), or drop the few-shot and retrieval methods`,
  );
}

/** An explicit `minImages` must be reachable by some user on both sides: checked before any request or image. */
function checkMinImages(config: BenchConfig, kind: ReferenceKind, users: readonly BenchUser[], splits: ReadonlyMap<string, UserSplit>): void {
  const min = config.reference.minImages!;
  if (kind === 'none') return;
  const counts = users.map((u) => ({
    generated: u.queries.length * config.seeds,
    reference: kind === 'dataset' ? (u.referenceImages?.length ?? 0) : (splits.get(u.id)?.reference.length ?? 0) * config.reference.seeds,
  }));
  const best = Math.max(0, ...counts.map((c) => Math.min(c.generated, c.reference)));
  if (best >= min) return;
  throw new InputError(
    `reference.minImages: ${min} is more than any user has on both sides (at most ${Math.max(0, ...counts.map((c) => c.generated))} generated and ${Math.max(0, ...counts.map((c) => c.reference))} reference images per user, ${best} on both); ${best >= 2 ? `lower it to ${best}, or ` : ''}raise seeds, dataset.queriesPerUser or reference.prompts/seeds`,
  );
}

/** The paper samples every LLM at 0.7 (App. B.3): another temperature would not be the paper's protocol. */
function checkPaperTemperature(llms: readonly { name: string; temperature: number }[]): void {
  const off = llms.findIndex((l) => l.temperature !== PAPER_TEMPERATURE);
  if (off < 0) return;
  const l = llms[off]!;
  throw new InputError(
    `protocol paper: LLM ${l.name} samples at temperature ${l.temperature}, the paper at ${PAPER_TEMPERATURE} for every LLM; remove llms.${off}.temperature (or ZIPP_LLM_TEMPERATURE), or use protocol product`,
  );
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  return given.length <= 1 ? given[0] : AbortSignal.any(given);
}
