import type { PromptSyntax, RewriteRequest } from '../../../shared/schemas/rewrite.ts';
import { adapterById } from '../sites/catalog.ts';
import { recentHistory } from '../store/history.ts';
import { personaForSite } from '../store/personas.ts';
import { getPreferences } from '../store/preferences.ts';
import { logRewrite } from '../store/rewrites.ts';
import { getSite } from '../store/sites.ts';
import { NO_LLM, NO_PERSONA, ZippError } from '../messages/errors.ts';
import { RewritePortIn, type RewritePortOut } from '../messages/protocol.ts';
import { toErrorBody } from '../messages/router.ts';
import { siteActivation, siteKey } from '../sites/state.ts';
import type { BackgroundDeps } from './handlers.ts';

/** Previous prompts offered to the few-shot selection (it keeps the k most recent usable ones). */
const HISTORY_POOL = 20;

export interface PortLike {
  name: string;
  sender?: { id?: string; url?: string; tab?: { id?: number } };
  postMessage(message: RewritePortOut): void;
  onMessage: { addListener(fn: (message: unknown) => void): void };
  onDisconnect: { addListener(fn: () => void): void };
}

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
    },
  };
}

/**
 * One content-script port = one rewrite. The persona and the key stay here; the page gets the streamed
 * text and the result. Closing the port (panel closed, page left) cancels the LLM request.
 */
export function serveRewritePort(port: PortLike, deps: BackgroundDeps, self: { id: string; origin: string }): void {
  const sender = port.sender;
  if (sender?.id !== self.id || !sender.tab || !sender.url || sender.url.startsWith(self.origin)) return;
  const pageUrl = sender.url;
  const abort = new AbortController();
  let open = true;
  port.onDisconnect.addListener(() => {
    open = false;
    abort.abort();
  });
  const post = (message: RewritePortOut) => {
    if (open) port.postMessage(message);
  };

  let started = false;
  port.onMessage.addListener((raw) => {
    const parsed = RewritePortIn.safeParse(raw);
    if (!parsed.success) return post({ type: 'error', error: { code: 'bad-request', message: parsed.error.issues[0]?.message ?? 'invalid request' } });
    if (parsed.data.type === 'cancel') return abort.abort();
    if (started) return;
    started = true;
    const prompt = parsed.data.prompt;
    void (async () => {
      try {
        const page = new URL(pageUrl);
        const site = siteKey(page);
        const activation = siteActivation(page, await getSite(deps.db, site));
        if (!activation.active) {
          throw new ZippError('site-off', `ZIPP is switched off on ${site}: switch it on in the ZIPP popup`);
        }
        const connection = await deps.loadConnection();
        if (!connection) throw NO_LLM;
        const { request, personaId } = await requestFor(deps, site, prompt, adapterById(activation.adapter)?.syntax ?? 'auto');
        const result = await deps.engineFor(connection).rewrite(request, {
          signal: abort.signal,
          onDelta: (text) => post({ type: 'delta', text }),
          onRestart: () => post({ type: 'restart' }),
        });
        const logId = await logRewrite(deps.db, {
          site,
          base: prompt,
          rewritten: result.rewritten,
          personaId,
          method: result.method,
          model: result.model,
          template: result.template,
          guard: result.guard,
        });
        post({
          type: 'done',
          result: { logId, rewritten: result.rewritten, method: result.method, model: result.model, guard: result.guard, warnings: result.warnings ?? [] },
        });
      } catch (err) {
        if (!abort.signal.aborted) post({ type: 'error', error: toErrorBody(err) });
      }
    })();
  });
}
