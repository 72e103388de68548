import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  personaFromQuestionnaire,
  verbalizePersona,
  type CommunityDescription,
  type ImportanceScorer,
  type PersonaResult,
  type VerbalizeInput,
} from '../../../shared/persona/index.ts';
import { normalizeCommunityName } from '../../../shared/community/name.ts';
import { PACKAGE_ROOT } from '../../runtime/package-paths.ts';
import { ApiError } from '../../http/errors.ts';
import type { EncoderService, LlmService } from '../services.ts';
import { parseCommunityRecords } from '../../../shared/community/records.ts';

/** The vendored Reddit community descriptions (names, titles, categories, NSFW flags), read once. */
export const DESCRIPTIONS_FILE = path.join(PACKAGE_ROOT, 'models', 'data', 'reddit', 'communities.jsonl');
let descriptions: CommunityDescription[] | undefined;
export function communityDescriptions(): CommunityDescription[] {
  return (descriptions ??= parseCommunityRecords(readFileSync(DESCRIPTIONS_FILE, 'utf8'), DESCRIPTIONS_FILE).records());
}

/** Where a verbalized persona's community importance came from. */
export type ImportanceSource = 'weights' | 'encoder' | 'activity';

/**
 * Importance for the persona context: weights the caller sent (e.g. attention from /v1/personas/infer),
 * else the loaded encoder's attention, else each community's share of the activity.
 */
function chooseScorer(encoder: EncoderService, weights?: { name: string; weight: number }[]): { scorer?: ImportanceScorer; source: ImportanceSource } {
  if (weights?.length) {
    const map = new Map(weights.map((w) => [normalizeCommunityName(w.name), w.weight]));
    return { scorer: () => map, source: 'weights' };
  }
  if (encoder.info().loaded) {
    return {
      scorer: async (activity) => new Map((await encoder.encode([...activity])).communities.map((c) => [c.name, c.attention])),
      source: 'encoder',
    };
  }
  return { source: 'activity' };
}

export interface VerbalizeRequest extends Pick<VerbalizeInput, 'texts' | 'budget' | 'keepSensitive' | 'includeNsfw'> {
  communities: { name: string; posts: number; comments: number }[];
  weights?: { name: string; weight: number }[];
}

/** A persona from a community list (and texts), through the shared verbalization pipeline and the server's LLM. */
export async function verbalize(
  llm: LlmService,
  encoder: EncoderService,
  request: VerbalizeRequest,
  signal?: AbortSignal,
): Promise<PersonaResult & { importance: ImportanceSource }> {
  const client = llm.client();
  const { scorer, source } = chooseScorer(encoder, request.weights);
  const { weights: _, ...input } = request;
  const result = await verbalizePersona(client, { ...input, descriptions: communityDescriptions(), ...(scorer ? { scorer } : {}), ...(signal ? { signal } : {}) });
  return { ...result, importance: source };
}

export async function fromQuestionnaire(llm: LlmService, answers: unknown, options: { keepSensitive?: boolean; signal?: AbortSignal }): Promise<PersonaResult> {
  const client = llm.client();
  return personaFromQuestionnaire(client, answers, options);
}
