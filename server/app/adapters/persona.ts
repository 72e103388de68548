import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  personaFromQuestionnaire,
  verbalizePersona,
  type CommunityDescription,
  type PersonaResult,
} from '../../../shared/persona/index.ts';
import type { VerbalizeBody } from '../../../shared/api/personas.ts';
import { PACKAGE_ROOT } from '../../runtime/package-paths.ts';
import type { EncoderService, LlmService } from '../services.ts';
import { parseCommunityRecords } from '../../../shared/community/records.ts';
import { resolveImportance, type ImportanceSource } from '../../../shared/persona/importance.ts';
import type { CommunityActivity } from '../../../shared/schemas/community.ts';

/** The vendored Reddit community descriptions (names, titles, categories, NSFW flags), read once. */
export const DESCRIPTIONS_FILE = path.join(PACKAGE_ROOT, 'models', 'data', 'reddit', 'communities.jsonl');
let descriptions: CommunityDescription[] | undefined;
export function communityDescriptions(): CommunityDescription[] {
  return (descriptions ??= parseCommunityRecords(readFileSync(DESCRIPTIONS_FILE, 'utf8'), DESCRIPTIONS_FILE).records());
}

/** Importance by the shared rule: the request's weights, else the loaded encoder's attention, else activity share. */
function importanceOf(encoder: EncoderService, weights?: { name: string; weight: number }[]) {
  return resolveImportance({
    ...(weights ? { weights } : {}),
    ...(encoder.info().loaded ? { attention: async (activity: readonly CommunityActivity[]) => new Map((await encoder.encode([...activity])).communities.map((c) => [c.name, c.attention])) } : {}),
  });
}

/** A persona from a community list (and texts), through the shared verbalization pipeline and the server's LLM. */
export async function verbalize(
  llm: LlmService,
  encoder: EncoderService,
  request: VerbalizeBody,
  signal?: AbortSignal,
): Promise<PersonaResult & { importance: ImportanceSource }> {
  const client = llm.client();
  const { scorer, source } = importanceOf(encoder, request.weights);
  const { weights: _, ...input } = request;
  const result = await verbalizePersona(client, { ...input, descriptions: communityDescriptions(), scorer, ...(signal ? { signal } : {}) });
  return { ...result, importance: source };
}

export async function fromQuestionnaire(llm: LlmService, answers: unknown, options: { keepSensitive?: boolean; signal?: AbortSignal }): Promise<PersonaResult> {
  const client = llm.client();
  return personaFromQuestionnaire(client, answers, options);
}
