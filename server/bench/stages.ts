import { rewritePrompt } from '../../shared/rewrite/index.ts';
import type { RewriteResult } from '../../shared/schemas/rewrite.ts';
import type { BenchUser } from '../datasets/types.ts';
import type { EnginePool } from '../engines/pool.ts';
import type { GenerationRequest } from '../engines/types.ts';
import type { ClipEmbedder } from '../eval/clip.ts';
import { InputError } from '../../shared/errors.ts';
import { forEachLimit } from './concurrency.ts';
import { embedMissing, textKey, type ClipSpaces } from './embeddings.ts';
import type { BenchLlm } from './llms.ts';
import type { GuardCounts, Sample } from './manifest.ts';
import { rewriteRequestOf } from './method-prompt.ts';
import { usesLlm, type MethodSpec } from './methods.ts';
import type { ImportanceSource } from './config.ts';
import { minedPersona, PAPER_PERSONA_TEMPLATE, scorerFor, type Mining } from './mined.ts';
import { PERSONA_FROM_HISTORY } from '../../shared/persona/index.ts';
import { PERSONA_HISTORY_PROMPTS, personaFor, personaSourceOf, type BenchPersona } from './persona.ts';
import type { ReferenceSet } from './reference.ts';
import type { RunContext } from './run-context.ts';
import { withFeatures } from './static-features.ts';
import { unitKey } from './store.ts';

/**
 * The stages of a benchmark run. Each looks every unit up in the store before making it and stores it
 * the moment it is made, so a rerun finds everything and a cut-off run keeps what it finished.
 */

/** What makes two LLMs' answers differ: endpoint, model and sampling temperature (never the key). */
const llmIdentity = (l: BenchLlm) => ({ baseUrl: l.baseUrl, model: l.model, temperature: l.temperature });

/** Where a persona lives in the run's persona map: per user, and for mined personas per importance source. */
export const personaKey = (user: string, importance?: string): string => (importance ? `${user}@${importance}` : user);

/**
 * Personas of the users: the dataset's, from demographics, mined from their communities (one per
 * importance source), or the LLM reading their history. LLM-made ones are stored units.
 */
export async function makePersonas(
  ctx: RunContext,
  users: readonly BenchUser[],
  llm: BenchLlm | undefined,
  mining?: { mining: Mining; sources: readonly ImportanceSource[] },
): Promise<Map<string, BenchPersona>> {
  const personas = new Map<string, BenchPersona>();
  const jobs: { user: BenchUser; source?: ImportanceSource }[] = users.flatMap((user) =>
    personaSourceOf(user) === 'mined' ? (mining?.sources ?? []).map((source) => ({ user, source })) : [{ user }],
  );
  ctx.progress.stage('personas', jobs.length);
  /** A stored unit, or made now and stored; its usage counts towards the LLM either way. */
  const unit = async (key: string, make: () => Promise<BenchPersona>): Promise<BenchPersona> => {
    let persona = ctx.store.getUnit<BenchPersona>('persona', key);
    const fresh = !persona;
    if (persona) ctx.work.personas.cached++;
    else {
      persona = await make();
      ctx.store.putUnit('persona', key, persona);
      ctx.work.personas.made++;
    }
    ctx.charge(llm!.name, persona.usage, fresh);
    return persona;
  };
  await forEachLimit(
    jobs,
    ctx.config.concurrency,
    async ({ user, source: importance }) => {
      const source = personaSourceOf(user);
      if (!source) throw new InputError(`user ${user.id} has no persona, demographics, communities or history, so persona methods cannot run for them; leave them out (dataset.users)`);
      if (source === 'mined') {
        const m = mining!.mining;
        const scores = await scorerFor(importance!, m)(user.communities!);
        const key = unitKey({
          unit: 'persona',
          protocol: ctx.config.protocol,
          template: ctx.config.protocol === 'paper' ? PAPER_PERSONA_TEMPLATE.ref : 'product-verbalization',
          llm: llmIdentity(llm!),
          importance,
          scores: [...scores].map(([n, v]) => [n, Math.round(v * 1e9) / 1e9]),
          communities: user.communities,
          texts: user.texts ?? [],
        });
        const persona = await unit(key, () => minedPersona(llm!.client, user, importance!, m, ctx.config.protocol, { temperature: llm!.temperature, ...(ctx.signal ? { signal: ctx.signal } : {}) }));
        personas.set(personaKey(user.id, importance), persona);
      } else if (source !== 'history') {
        personas.set(user.id, (await personaFor(user, () => llm!.client))!);
      } else {
        const key = unitKey({ unit: 'persona', template: PERSONA_FROM_HISTORY.ref, llm: llmIdentity(llm!), prompts: user.history.slice(-PERSONA_HISTORY_PROMPTS) });
        personas.set(user.id, await unit(key, async () => (await personaFor(user, () => llm!.client, ctx.signal))!));
      }
      ctx.progress.update(personas.size);
    },
    ctx.stop,
  );
  return personas;
}

export interface Rewrites {
  /** The rewritten prompt per (LLM, method, user, query): see rewriteKey. */
  prompts: Map<string, string>;
  /** Subject-guard outcomes per "llm|method". */
  guard: Record<string, GuardCounts>;
}

export const rewriteKey = (llm: string, method: string, user: string, q: number) => JSON.stringify([llm, method, user, q]);

/** What the methods take as query q of the user (PIP: the shortened query), else the query itself. */
export const inputOf = (user: BenchUser, q: number): string => user.inputs?.[q] ?? user.queries[q]!;

/** Every LLM × LLM method × user × query, each LLM with its own concurrency limit. */
export async function makeRewrites(ctx: RunContext, llms: readonly BenchLlm[], specs: readonly MethodSpec[], users: readonly BenchUser[], personas: Map<string, BenchPersona>): Promise<Rewrites> {
  const out: Rewrites = { prompts: new Map(), guard: {} };
  const tasks = specs.filter(usesLlm).flatMap((spec) => users.flatMap((user) => user.queries.map((_, q) => ({ spec, user, q }))));
  ctx.progress.stage('rewrites', tasks.length * llms.length);
  let done = 0;
  await Promise.all(
    llms.map((llm) =>
      forEachLimit(
        tasks,
        ctx.config.concurrency,
        async ({ spec, user, q }) => {
          const request = rewriteRequestOf(spec, { prompt: inputOf(user, q), persona: personas.get(personaKey(user.id, spec.importance))?.text, history: user.history, temperature: llm.temperature })!;
          const protocol = ctx.config.protocol;
          const key = unitKey({ unit: 'rewrite', llm: llmIdentity(llm), request, protocol });
          let result = ctx.store.getUnit<RewriteResult>('rewrite', key);
          const fresh = !result;
          if (result) ctx.work.rewrites.cached++;
          else {
            result = await rewritePrompt(llm.client, request, { protocol, ...(ctx.signal ? { signal: ctx.signal } : {}) });
            ctx.store.putUnit('rewrite', key, result);
            ctx.work.rewrites.made++;
          }
          ctx.charge(llm.name, result.usage, fresh);
          out.prompts.set(rewriteKey(llm.name, spec.id, user.id, q), result.rewritten);
          (out.guard[`${llm.name}|${spec.id}`] ??= { passed: 0, retried: 0, failed: 0 })[result.guard]++;
          ctx.progress.update(++done);
        },
        ctx.stop,
      ),
    ),
  );
  return out;
}

/** Every (LLM, method, user, query) cell with each seed; methods without an LLM once, under no LLM. */
export function planSamples(
  specs: readonly MethodSpec[],
  llms: readonly BenchLlm[],
  users: readonly BenchUser[],
  rewrites: Rewrites,
  features: Map<string, string[]>,
  seeds: readonly number[],
  imageKey: (prompt: string, seed: number) => string,
): Sample[] {
  const samples: Sample[] = [];
  for (const spec of specs) {
    for (const llm of usesLlm(spec) ? llms.map((l) => l.name) : [null]) {
      for (const user of users) {
        user.queries.forEach((original, q) => {
          const input = inputOf(user, q);
          const prompt = llm !== null ? rewrites.prompts.get(rewriteKey(llm, spec.id, user.id, q))! : spec.method === 'static' ? withFeatures(input, features.get(user.id) ?? []) : input;
          for (const seed of seeds) {
            samples.push({ llm, method: spec.id, user: user.id, query: q, seed, original, input, prompt, image: imageKey(prompt, seed), text: textKey(original) });
          }
        });
      }
    }
  }
  return samples;
}

/** Images generated (and embedded) per round: bounds memory and keeps every engine URL busy. */
const IMAGE_CHUNK = 64;

/**
 * Generates the images whose embeddings the store lacks (the pool answers earlier ones from its cache)
 * and embeds them, chunk by chunk; then the dataset's own reference files. CLIP loads only when needed.
 */
export async function renderAndEmbed(ctx: RunContext, pool: EnginePool, clip: ClipEmbedder, spaces: ClipSpaces, wanted: Map<string, GenerationRequest>, reference: ReferenceSet): Promise<void> {
  const { store, config, signal } = ctx;
  const missing = [...wanted].filter(([key]) => !store.hasEmbedding(spaces.image, key)).map(([, r]) => r);
  const files = reference.files.map((f) => ({ key: f.key, input: f.path }));
  ctx.progress.stage('images', missing.length + files.filter((f) => !store.hasEmbedding(spaces.image, f.key)).length);
  const embedImages = (inputs: (string | Uint8Array)[]) => clip.embedImages(inputs);
  let done = 0;
  for (let start = 0; start < missing.length; start += IMAGE_CHUNK) {
    ctx.stop?.throwIfAborted();
    const made = await pool.generateAll(missing.slice(start, start + IMAGE_CHUNK), undefined, signal);
    ctx.work.images.embedded += await embedMissing(store, spaces.image, made.map((m) => ({ key: m.key, input: m.path ?? m.bytes })), embedImages, config.clip.batchSize, undefined, signal);
    done += made.length;
    ctx.progress.update(done);
  }
  ctx.work.images.embedded += await embedMissing(store, spaces.image, files, embedImages, config.clip.batchSize, (d) => ctx.progress.update(done + d), signal);
  ctx.work.images.generated = pool.stats.generated;
  ctx.work.images.cached = pool.stats.cacheHits;
}

/** Text embeddings of the original prompts (CLIPScore compares each image with its user's prompt). */
export async function embedPrompts(ctx: RunContext, clip: ClipEmbedder, spaces: ClipSpaces, samples: readonly Sample[]): Promise<void> {
  const texts = [...new Map(samples.map((s) => [s.text, s.original]))].map(([key, input]) => ({ key, input }));
  ctx.progress.stage('texts', texts.filter((t) => !ctx.store.hasEmbedding(spaces.text, t.key)).length);
  ctx.work.texts.embedded = await embedMissing(ctx.store, spaces.text, texts, (inputs) => clip.embedTexts(inputs), ctx.config.clip.batchSize, (d) => ctx.progress.update(d), ctx.signal);
}
