/**
 * The persona pipelines that call the LLM: from a community list (plus the user's texts when there are
 * any) and from the intake questionnaire. Both share the tail: ask, clean the answer (one retry when it
 * is unusable), strip sensitive attributes, cap the length.
 */
import { LlmError } from '../llm/errors.ts';
import type { ChatClient, ChatMessage } from '../llm/types.ts';
import { CommunityList, type CommunityActivity } from '../schemas/community.ts';
import { communityDisplayName, normalizeCommunityName, type CommunitySource } from '../community/name.ts';
import { addUsage, emptyUsage, type Usage } from '../schemas/llm.ts';
import type { PersonaEvidence } from '../schemas/persona.ts';
import { cutToTokens } from '../text/tokens.ts';
import { assignTexts, type CommunityDescription } from './assign.ts';
import { decodeEntities, stripUrlsAndMentions } from './clean.ts';
import { buildVerbalizationContext, type CandidateText, type ContextOptions, type VerbalizationContext } from './context.ts';
import { PersonaGenerationError, PersonaInputError } from './errors.ts';
import { capPersonaLength, cleanPersonaAnswer } from './hygiene.ts';
import { activityScorer, type ImportanceScorer } from './importance.ts';
import { formatAnswers, parseQuestionnaireAnswers } from './questionnaire.ts';
import { guardSensitive, type RemovedSentence, type SensitiveFinding } from './sensitive.ts';
import {
  PERSONA_FROM_COMMUNITIES,
  PERSONA_FROM_HISTORY,
  PERSONA_FROM_QUESTIONNAIRE,
  PERSONA_FROM_TEXTS,
  PERSONA_RETRY_NOTE,
  type PersonaTemplate,
} from './templates.ts';

/** The parts of a template the generation step needs. */
type TemplateText = Pick<PersonaTemplate<never>, 'ref' | 'system'>;

export interface GenerationOptions {
  /** Keep sentences the sensitive-attribute guard flags (findings are still reported). */
  keepSensitive?: boolean;
  temperature?: number;
  signal?: AbortSignal;
}

export interface VerbalizeInput extends ContextOptions, GenerationOptions {
  /** The user's communities with activity counts (names as typed: "r/Analog" works). */
  communities: readonly unknown[];
  /** Posts and comments; those without a (known) community are assigned by topic or left unassigned. */
  texts?: readonly { community?: string; text: string; score?: number; id?: string }[];
  /** Community names, titles, descriptions, categories — used for the community-only persona and for assignment. */
  descriptions?: readonly CommunityDescription[];
  /** Importance per community: the encoder's attention or TF-IDF. Default: activity share. */
  scorer?: ImportanceScorer;
  /** Keep communities marked over18 in `descriptions` (default: left out, with their texts). */
  includeNsfw?: boolean;
  /** The prompt for the evidence (default PERSONA_FROM_TEXTS); a benchmark passes the paper's (Table 2). */
  textsTemplate?: PersonaTemplate<{ evidence: string; communities: string }>;
  /** Where the communities come from, for how they are named to the LLM (default: by Reddit's name rule). */
  source?: CommunitySource;
}

export interface PersonaResult {
  text: string;
  /** "template-id@version". */
  template: string;
  model: string;
  usage: Usage;
  evidence: PersonaEvidence;
  /** Sentences the guard removed, with why. */
  removed: RemovedSentence[];
  /** Every sensitive finding in the model's answer (also those kept with keepSensitive). */
  findings: SensitiveFinding[];
  warnings: string[];
  /** How the context was built (absent for the questionnaire). */
  context?: Pick<VerbalizationContext, 'tokens' | 'budget' | 'dropped'> & { communities: VerbalizationContext['communities'] };
}

/** Tokens of description shown per community in the community-only prompt. */
const DESCRIPTION_TOKENS = 80;

export async function verbalizePersona(client: ChatClient, input: VerbalizeInput): Promise<PersonaResult> {
  const warnings: string[] = [];
  const parsed = CommunityList.safeParse(input.communities);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PersonaInputError(`communities${issue.path.length ? `[${issue.path.join('.')}]` : ''}: ${issue.message}`);
  }
  const descriptions = input.descriptions ?? [];
  const nsfw = new Set(input.includeNsfw ? [] : descriptions.filter((d) => d.over18).map((d) => normalizeCommunityName(d.name)));
  const activity = parsed.data.filter((c) => !nsfw.has(c.name));
  const skipped = parsed.data.filter((c) => nsfw.has(c.name)).map((c) => c.name);
  if (skipped.length) warnings.push(`left out ${skipped.length} NSFW communit${skipped.length === 1 ? 'y' : 'ies'} and their texts: ${skipped.join(', ')}`);
  if (activity.length === 0) throw new PersonaInputError('communities: every community given is NSFW; give at least one other');

  const importance = await scoreImportance(input.scorer ?? activityScorer, activity, warnings);
  const ranked = [...importance].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  const { byCommunity, unassigned, unknown } = groupTexts(input.texts ?? [], ranked, descriptions, nsfw);
  if (unknown.size) warnings.push(`texts of communities not in the list went to the unassigned pool: ${[...unknown].slice(0, 5).join(', ')}${unknown.size > 5 ? ', …' : ''}`);

  const context = buildVerbalizationContext({ ...contextOptions(input), importance, texts: byCommunity, unassigned });
  const names = context.communities.map((c) => c.name);
  let template: TemplateText;
  let user: string;
  if (context.items.length > 0) {
    const texts = input.textsTemplate ?? PERSONA_FROM_TEXTS;
    template = texts;
    user = texts.user({ evidence: context.text, communities: names.map((n) => communityDisplayName(n, input.source)).join(', ') });
  } else {
    const given = input.texts?.length ?? 0;
    if (given > 0) {
      const d = context.dropped;
      warnings.push(
        `none of the ${given} texts made it into the evidence (${d.removed} removed/deleted, ${d.short} too short, ${d.duplicate} duplicates, ${d.overBudget} over the budget): persona built from the communities alone`,
      );
    }
    template = PERSONA_FROM_COMMUNITIES;
    user = PERSONA_FROM_COMMUNITIES.user({ communities: describeCommunities(names, descriptions, input.source) });
  }
  const generated = await generate(client, template, user, input, warnings);
  return {
    ...generated,
    evidence: {
      communities: context.communities.map((c) => ({ name: c.name, weight: c.weight })),
      items: context.items.map((i) => ({ community: i.community, text: i.text, tokens: i.tokens, ...(i.score !== undefined ? { score: i.score } : {}) })),
      template: template.ref,
      model: generated.model,
      removed: generated.removed.map((r) => r.sentence),
    },
    context: { tokens: context.tokens, budget: context.budget, dropped: context.dropped, communities: context.communities },
  };
}

/** A persona from the 10-question intake questionnaire (answers validated; see questionnaire.ts). */
/**
 * A persona from the things a person chose (their image prompts, films they liked), through the same
 * generation as every other persona: one retry, cleaning, the sensitive-attribute guard, the length cap.
 */
export async function personaFromHistory(client: ChatClient, items: readonly string[], options: GenerationOptions = {}): Promise<PersonaResult> {
  if (items.length === 0) throw new PersonaInputError('history: no items to describe the person from; give at least one prompt');
  const warnings: string[] = [];
  const template = PERSONA_FROM_HISTORY;
  const generated = await generate(client, template, template.user({ items }), options, warnings);
  return {
    ...generated,
    evidence: { communities: [], items: [], template: template.ref, model: generated.model, removed: generated.removed.map((r) => r.sentence) },
  };
}

export async function personaFromQuestionnaire(client: ChatClient, answers: unknown, options: GenerationOptions = {}): Promise<PersonaResult> {
  const valid = parseQuestionnaireAnswers(answers);
  const warnings: string[] = [];
  const template = PERSONA_FROM_QUESTIONNAIRE;
  const generated = await generate(client, template, template.user({ answers: formatAnswers(valid) }), options, warnings);
  return {
    ...generated,
    evidence: { communities: [], items: [], template: template.ref, model: generated.model, removed: generated.removed.map((r) => r.sentence) },
  };
}

async function scoreImportance(scorer: ImportanceScorer, activity: CommunityActivity[], warnings: string[]): Promise<Map<string, number>> {
  const raw = await scorer(activity);
  // Only the listed communities count, whatever else a scorer returns. A community it gave no score (the
  // encoder attends over the 50 most active; one it cannot embed) gets 0 — and the result says so.
  const missing = activity.filter((a) => !raw.has(a.name)).map((a) => a.name);
  if (missing.length && missing.length < activity.length) {
    warnings.push(`${missing.length} communit${missing.length === 1 ? 'y has' : 'ies have'} no importance and got no evidence budget (beyond the 50 most active, or unknown to the encoder): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  }
  return new Map(activity.map((a) => [a.name, raw.get(a.name) ?? 0]));
}

function groupTexts(
  texts: NonNullable<VerbalizeInput['texts']>,
  ranked: readonly string[],
  descriptions: readonly CommunityDescription[],
  nsfw: ReadonlySet<string>,
) {
  const known = new Set(ranked);
  const byCommunity = new Map<string, CandidateText[]>(ranked.map((n) => [n, []]));
  const unlabelled: CandidateText[] = [];
  const unknown = new Set<string>();
  for (const t of texts) {
    const candidate: CandidateText = { text: t.text, ...(t.score !== undefined ? { score: t.score } : {}), ...(t.id !== undefined ? { id: t.id } : {}) };
    if (t.community === undefined) {
      unlabelled.push(candidate);
      continue;
    }
    const name = normalizeCommunityName(t.community);
    if (nsfw.has(name)) continue;
    if (known.has(name)) byCommunity.get(name)!.push(candidate);
    else {
      unknown.add(name);
      unlabelled.push(candidate);
    }
  }
  const assigned = assignTexts(unlabelled, ranked, descriptions);
  for (const [name, list] of assigned.byCommunity) byCommunity.get(name)!.push(...list);
  return { byCommunity, unassigned: assigned.unassigned, unknown };
}

/**
 * "- r/analog: Analog Photography — Film photography subreddit… [Hobbies and Interests, Photography]" per
 * community, best first; each line at most DESCRIPTION_TOKENS, so 50 communities stay near 4,000 tokens.
 */
function describeCommunities(names: readonly string[], descriptions: readonly CommunityDescription[], source: CommunitySource = 'auto'): string {
  const info = new Map(descriptions.map((d) => [normalizeCommunityName(d.name), d]));
  return names
    .map((name) => {
      const d = info.get(name);
      const about = decodeEntities(stripUrlsAndMentions([d?.title?.trim(), d?.description?.trim()].filter(Boolean).join(' — ')));
      const cats = d?.categories?.length ? ` [${d.categories.join(', ')}]` : '';
      return cutToTokens(`- ${communityDisplayName(name, source)}${about ? `: ${about.replace(/\s+/g, ' ')}` : ''}${cats}`, DESCRIPTION_TOKENS, 'word').text;
    })
    .join('\n');
}

function contextOptions(input: VerbalizeInput): ContextOptions {
  const { budget, maxCommunities, minWords, nearDuplicateThreshold, lambda, maxItemTokens, maxCandidatesPerCommunity, spillover } = input;
  return { budget, maxCommunities, minWords, nearDuplicateThreshold, lambda, maxItemTokens, maxCandidatesPerCommunity, spillover };
}

/** Ask, clean (one retry on an unusable answer), guard, cap. */
async function generate(
  client: ChatClient,
  template: TemplateText,
  user: string,
  options: GenerationOptions,
  warnings: string[],
): Promise<Omit<PersonaResult, 'evidence' | 'context'>> {
  const messages: ChatMessage[] = [
    { role: 'system', content: template.system },
    { role: 'user', content: user },
  ];
  const chatOptions = { ...(options.temperature !== undefined ? { temperature: options.temperature } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  let usage = emptyUsage();
  let model = client.model;
  let answer: ReturnType<typeof cleanPersonaAnswer> | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const ask = attempt === 0 ? messages : [...messages, { role: 'assistant' as const, content: answer?.text ?? '' }, { role: 'user' as const, content: PERSONA_RETRY_NOTE }];
    try {
      const r = await client.chat(ask, chatOptions);
      usage = addUsage(usage, r.usage);
      model = r.model;
      answer = cleanPersonaAnswer(r.text);
    } catch (err) {
      // An empty answer is worth one more try; every other LLM failure is final.
      if (!(err instanceof LlmError && err.code === 'empty-answer')) throw err;
      if (err.usage) usage = addUsage(usage, err.usage);
      answer = { ok: false, reason: 'empty', text: '' };
    }
    if (answer.ok) break;
  }
  if (!answer || (!answer.ok && answer.reason === 'empty')) {
    throw new PersonaGenerationError(`the model "${model}" gave no usable persona twice: try again, or use a larger model`);
  }
  if (!answer.ok) warnings.push('the model did not write the persona in the second person; check the text before using it');

  const guard = guardSensitive(answer.text, { keep: options.keepSensitive ?? false });
  if (guard.removed.length) warnings.push(`removed ${guard.removed.length} sentence${guard.removed.length === 1 ? '' : 's'} with sensitive attributes (${[...new Set(guard.removed.flatMap((r) => r.categories))].join(', ')})`);
  if (options.keepSensitive && guard.findings.length) warnings.push(`kept ${guard.findings.length} sensitive statement${guard.findings.length === 1 ? '' : 's'} (keepSensitive)`);
  if (!guard.text) throw new PersonaGenerationError('every sentence of the persona named a sensitive attribute and was removed: try again, or write the persona yourself');
  const capped = capPersonaLength(guard.text);
  if (capped.warning) warnings.push(capped.warning);
  return { text: capped.text, template: template.ref, model, usage, removed: guard.removed, findings: guard.findings, warnings };
}
