import type { RewriteMethod } from '../../shared/schemas/rewrite.ts';
import { InputError } from '../../shared/errors.ts';

/**
 * The methods a benchmark run compares, named as on the CLI: the five rewrite methods of `zipp rewrite`,
 * a static-style baseline that needs no LLM, and the unrewritten prompt. Methods that take examples carry
 * their k in the id ("fewshot:5"), so one run can compare several shot counts.
 */
export const BENCH_METHODS = ['original', 'baseline', 'persona', 'fewshot', 'fewshot-baseline', 'retrieval', 'static'] as const;
export type BenchMethodName = (typeof BENCH_METHODS)[number];

/** What a run compares when the config names no methods (the paper's Table 1 rows we can run). */
export const DEFAULT_METHODS = ['baseline', 'persona', 'fewshot:3', 'fewshot:5', 'fewshot-baseline:3', 'retrieval:3', 'static'] as const;

export interface MethodSpec {
  /**
   * Canonical id: "persona", "fewshot:3" (k always spelled out for methods that take one); with mined
   * personas the importance source follows: "persona@attention", "fewshot:3@tfidf".
   */
  id: string;
  method: BenchMethodName;
  /** Examples (few-shot) or retrieved prompts; only for methods that take them. */
  k?: number;
  /** Mined personas: which importance source weighted the communities of the persona. */
  importance?: string;
}

const TAKES_K = new Set<BenchMethodName>(['fewshot', 'fewshot-baseline', 'retrieval']);
const DEFAULT_K = 3;
const MAX_K = 5;

/** "fewshot" → fewshot:3, "retrieval:5" → retrieval:5; a one-line error for anything else. */
export function parseMethodSpec(raw: string): MethodSpec {
  const [name, kText, ...rest] = raw.trim().split(':');
  if (!(BENCH_METHODS as readonly string[]).includes(name ?? '') || rest.length) {
    throw new InputError(`unknown method '${raw}': use ${BENCH_METHODS.join(', ')} (fewshot, fewshot-baseline and retrieval take :k, e.g. fewshot:5)`);
  }
  const method = name as BenchMethodName;
  if (!TAKES_K.has(method)) {
    if (kText !== undefined) throw new InputError(`method '${method}' takes no k: write '${method}'`);
    return { id: method, method };
  }
  const k = kText === undefined ? DEFAULT_K : Number(kText);
  if (!(Number.isInteger(k) && k >= 1 && k <= MAX_K)) throw new InputError(`method '${raw}': k must be a whole number from 1 to ${MAX_K}`);
  return { id: `${method}:${k}`, method, k };
}

/**
 * With mined personas, every persona-conditioned method once per importance source (the paper's Table 10
 * compares them): persona → persona@attention, persona@tfidf, …; the others stay as they are.
 */
export function expandImportance(specs: readonly MethodSpec[], sources: readonly string[]): MethodSpec[] {
  return specs.flatMap((s) => (usesPersona(s) ? sources.map((importance) => ({ ...s, id: `${s.id}@${importance}`, importance })) : [s]));
}

/** A method id as the manifest records it, importance source included ("fewshot:3@tfidf"). */
export function parseMethodId(id: string): MethodSpec {
  const at = id.lastIndexOf('@');
  if (at < 0) return parseMethodSpec(id);
  const base = parseMethodSpec(id.slice(0, at));
  return { ...base, id, importance: id.slice(at + 1) };
}

/** The id without the importance source ("fewshot:3@tfidf" → "fewshot:3"). */
export const baseId = (spec: MethodSpec): string => (spec.importance ? spec.id.slice(0, spec.id.lastIndexOf('@')) : spec.id);

/** The shared rewrite pipeline's method for a bench method; undefined for methods that need no LLM. */
export function rewriteMethodOf(spec: MethodSpec): RewriteMethod | undefined {
  return spec.method === 'original' || spec.method === 'static' ? undefined : spec.method;
}

export const usesLlm = (spec: MethodSpec): boolean => rewriteMethodOf(spec) !== undefined;

/** Methods whose prompt depends on the user's persona. */
export const usesPersona = (spec: MethodSpec): boolean => spec.method === 'persona' || spec.method === 'fewshot';

/** The row label of reports, in the paper's vocabulary (ZIPP = persona-conditioned, TV = Tailored Visions). */
export function methodLabel(spec: MethodSpec): string {
  const label = baseLabel(spec);
  return spec.importance ? `${label.slice(0, -1)}, ${spec.importance} persona)` : label;
}

function baseLabel(spec: MethodSpec): string {
  switch (spec.method) {
    case 'original':
      return 'Original prompt';
    case 'baseline':
      return 'LLM (0-shot, no persona)';
    case 'persona':
      return 'ZIPP (0-shot)';
    case 'fewshot':
      return `ZIPP (${spec.k}-shot)`;
    case 'fewshot-baseline':
      return `LLM (${spec.k}-shot, no persona)`;
    case 'retrieval':
      return `TV (${spec.k})`;
    case 'static':
      return 'Static features (ViPer-like)';
  }
}

/**
 * Persona on/off pairs for the paper's Fig. 3: each persona-conditioned method with the same method
 * minus the persona ("0-shot": persona vs baseline; "k-shot": fewshot:k vs fewshot-baseline:k).
 */
export function personaPairs(specs: readonly MethodSpec[]): { setting: string; without: MethodSpec; with: MethodSpec }[] {
  const byId = new Map(specs.map((s) => [s.id, s]));
  const pairs: { setting: string; without: MethodSpec; with: MethodSpec }[] = [];
  for (const s of specs) {
    const of = s.importance ? ` (${s.importance})` : '';
    if (s.method === 'persona' && byId.has('baseline')) pairs.push({ setting: `0-shot${of}`, without: byId.get('baseline')!, with: s });
    if (s.method === 'fewshot' && byId.has(`fewshot-baseline:${s.k}`)) pairs.push({ setting: `${s.k}-shot${of}`, without: byId.get(`fewshot-baseline:${s.k}`)!, with: s });
  }
  return pairs;
}
