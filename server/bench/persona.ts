import type { ChatClient } from '../../shared/llm/types.ts';
import { personaFromHistory as sharedPersonaFromHistory } from '../../shared/persona/index.ts';
import { emptyUsage, type Usage } from '../../shared/schemas/llm.ts';
import type { BenchUser } from '../datasets/types.ts';

/**
 * The persona a benchmark user is rewritten for, by what the dataset knows about them:
 * - `dataset`: the dataset's own persona (ZIP-Bench), verbatim;
 * - `demographics`: where only demographic attributes exist (RapidData), a sentence built from them
 *   without an LLM — the paper conditions on these attributes directly for such datasets;
 * - `mined`: users given as community lists (+ their texts): mined as the paper does (see mined.ts);
 * - `history`: otherwise (MovieLens likes, PIP prompts) the LLM describes the person behind their most
 *   recent history prompts, with the persona pipeline's cleaning, sensitive-attribute guard and length cap.
 */
export type PersonaSource = 'dataset' | 'demographics' | 'mined' | 'history';

export interface BenchPersona {
  text: string;
  source: PersonaSource;
  /** `mined`: the importance source that weighted the communities. */
  importance?: string;
  /** "template@version" for LLM-made personas. */
  template?: string;
  model?: string;
  usage: Usage;
  warnings: string[];
  /** `mined`: per community the normalised importance, its token budget and the evidence tokens taken. */
  evidence?: { budget: number; tokens: number; spillover: boolean; communities: { name: string; weight: number; budget: number; used: number; items: number }[] };
}

/** History prompts shown to the LLM (most recent first kept): enough to see a pattern, cheap to send. */
export const PERSONA_HISTORY_PROMPTS = 30;

/** Which source a user's persona comes from; undefined when nothing describes them. */
export function personaSourceOf(user: BenchUser): PersonaSource | undefined {
  if (user.persona?.trim()) return 'dataset';
  if (user.demographics && Object.values(user.demographics).some((v) => v.trim())) return 'demographics';
  if (user.communities?.length) return 'mined';
  if (user.history.length > 0) return 'history';
  return undefined;
}

/** "You are in the 25–34 age range, female, live in Brazil, speak pt and work as: Student." */
export function demographicPersona(d: Record<string, string>): string {
  const parts: string[] = [];
  const v = (k: string) => d[k]?.trim();
  if (v('age')) parts.push(`are in the ${v('age')} age range`);
  if (v('gender')) parts.push(`describe your gender as ${v('gender')}`);
  if (v('country')) parts.push(`live in ${v('country')}`);
  if (v('language')) parts.push(`speak ${v('language')}`);
  if (v('profession')) parts.push(`work as ${v('profession')}`);
  const known = new Set(['age', 'gender', 'country', 'language', 'profession']);
  for (const [k, value] of Object.entries(d)) if (!known.has(k) && value.trim()) parts.push(`have ${k}: ${value.trim()}`);
  if (parts.length === 0) return '';
  const list = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `You ${list}.`;
}

/** The personas that need no mining (mined ones: mined.ts). */
export async function personaFor(user: BenchUser, llm: () => ChatClient, signal?: AbortSignal): Promise<BenchPersona | undefined> {
  const source = personaSourceOf(user);
  if (source === 'dataset') return { text: user.persona!.trim(), source, usage: emptyUsage(), warnings: [] };
  if (source === 'demographics') return { text: demographicPersona(user.demographics!), source, usage: emptyUsage(), warnings: [] };
  if (source === 'history') return personaFromHistory(llm(), user.history.slice(-PERSONA_HISTORY_PROMPTS), signal);
  return undefined;
}

/** The shared persona-from-history path (shared/persona/verbalize.ts), as a benchmark persona. */
async function personaFromHistory(client: ChatClient, prompts: readonly string[], signal?: AbortSignal): Promise<BenchPersona> {
  const r = await sharedPersonaFromHistory(client, prompts, signal ? { signal } : {});
  return { text: r.text, source: 'history', template: r.template, model: r.model, usage: r.usage, warnings: r.warnings };
}
