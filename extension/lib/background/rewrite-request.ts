import type { PromptSyntax, RewriteRequest } from '../../../shared/schemas/rewrite.ts';
import { NO_PERSONA, ZippError } from '../messages/errors.ts';
import { recentHistory } from '../store/history.ts';
import { personaForSite } from '../store/personas.ts';
import { getPreferences } from '../store/preferences.ts';
import { NO_PERSONA_ARM, PERSONA_ARM, type ArmId, type CandidateMode } from '../store/records.ts';
import type { BackgroundDeps } from './handlers.ts';

/** Previous prompts offered to the few-shot selection (it keeps the k most recent usable ones). */
const HISTORY_POOL = 20;

/**
 * Builds the rewrite request for a page: the site's persona (site default, else the active one), and —
 * for few-shot — the site's captured history. Method `auto` is few-shot when the site has history.
 */
export async function requestFor(
  deps: BackgroundDeps,
  site: string,
  prompt: string,
  syntax: PromptSyntax = 'auto',
): Promise<{ request: RewriteRequest; personaId: string }> {
  const persona = await personaForSite(deps.db, site);
  if (!persona) throw NO_PERSONA;
  const prefs = await getPreferences(deps.db);
  const history = prefs.method === 'persona' ? [] : await recentHistory(deps.db, site, HISTORY_POOL);
  const usable = history.filter((h) => h.trim() !== prompt.trim());
  const fewshot = prefs.method !== 'persona' && usable.length > 0;
  return {
    personaId: persona.id,
    request: {
      prompt,
      persona: persona.text,
      method: fewshot ? 'fewshot' : 'persona',
      ...(fewshot ? { history: usable, k: prefs.fewShotK } : {}),
      // The site's own syntax (Midjourney parameters, SD weights) comes back byte for byte.
      syntax,
      strength: prefs.strength,
    },
  };
}

export interface Arm {
  mode: CandidateMode;
  arm: ArmId;
  /** How the arm is named in votes: "persona", "no persona", or the persona's name. */
  label: string;
  personaId: string | null;
  request: RewriteRequest;
}

/** A fair coin from the platform's CSPRNG: which candidate is shown first. */
const coin = () => (crypto.getRandomValues(new Uint8Array(1))[0]! & 1) === 1;

/**
 * The rewrites to make for one prompt, in the order to show them: the site's persona alone, or — when the
 * person asked for two candidates — the persona (arm A) and no persona or a second persona (arm B), in
 * random order so neither position favours an arm.
 */
export async function candidateArms(deps: BackgroundDeps, site: string, prompt: string, syntax: PromptSyntax): Promise<Arm[]> {
  const prefs = await getPreferences(deps.db);
  const { request, personaId } = await requestFor(deps, site, prompt, syntax);
  if (prefs.candidates === 'one') return [{ mode: 'one', arm: 'a', label: PERSONA_ARM, personaId, request }];
  let b: Arm;
  if (prefs.candidates === 'persona-vs-none') {
    const { persona: _persona, ...rest } = request;
    b = { mode: prefs.candidates, arm: 'b', label: NO_PERSONA_ARM, personaId: null, request: { ...rest, method: request.method === 'fewshot' ? 'fewshot-baseline' : 'baseline' } };
  } else {
    const other = prefs.comparePersonaId ? await deps.db.personas.get(prefs.comparePersonaId) : undefined;
    if (!other || other.id === personaId) {
      throw new ZippError('no-second-persona', 'pick a second persona (not the one this site uses) in ZIPP options → Preferences → Two candidates');
    }
    b = { mode: prefs.candidates, arm: 'b', label: other.name, personaId: other.id, request: { ...request, persona: other.text } };
  }
  const aName = prefs.candidates === 'persona-vs-none' ? PERSONA_ARM : ((await deps.db.personas.get(personaId))?.name ?? PERSONA_ARM);
  const a: Arm = { mode: prefs.candidates, arm: 'a', label: aName, personaId, request };
  return coin() ? [a, b] : [b, a];
}
