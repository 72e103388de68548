import { attributeRewrite } from '../../../shared/rewrite/attribution.ts';
import { adapterById } from '../sites/catalog.ts';
import { logRewrite } from '../store/rewrites.ts';
import { getSite } from '../store/sites.ts';
import { NO_LLM, ZippError } from '../messages/errors.ts';
import { RewritePortIn, type Candidate, type RewritePortOut } from '../messages/protocol.ts';
import { toErrorBody } from '../messages/router.ts';
import { siteActivation, siteKey } from '../sites/state.ts';
import { candidateArms } from './rewrite-request.ts';
import type { BackgroundDeps } from './handlers.ts';

export interface PortLike {
  name: string;
  sender?: { id?: string; url?: string; tab?: { id?: number } };
  postMessage(message: RewritePortOut): void;
  onMessage: { addListener(fn: (message: unknown) => void): void };
  onDisconnect: { addListener(fn: () => void): void };
}

/**
 * One content-script port = one rewrite (or two candidates, streamed side by side and logged as a pair).
 * The persona and the key stay here; the page gets the streamed text and the result. Closing the port
 * (panel closed, page left) cancels the LLM requests.
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
        const syntax = adapterById(activation.adapter)?.syntax ?? 'auto';
        const arms = await candidateArms(deps, site, prompt, syntax);
        const engine = deps.engineFor(connection);
        const pairId = arms.length === 2 ? crypto.randomUUID() : undefined;
        const done: Candidate[] = await Promise.all(
          arms.map(async (arm, shown) => {
            const tag = arms.length === 2 ? { candidate: shown as 0 | 1 } : {};
            const result = await engine.rewrite(arm.request, {
              signal: abort.signal,
              onDelta: (text) => post({ type: 'delta', text, ...tag }),
              onRestart: () => post({ type: 'restart', ...tag }),
            });
            const logId = await logRewrite(deps.db, {
              site,
              base: prompt,
              rewritten: result.rewritten,
              personaId: arm.personaId,
              method: result.method,
              model: result.model,
              template: result.template,
              guard: result.guard,
              strength: arm.request.strength ?? 'balanced',
              ...(pairId && arm.mode !== 'one' ? { pair: { id: pairId, mode: arm.mode, arm: arm.arm, label: arm.label, first: shown === 0 } } : {}),
            });
            return { logId, rewritten: result.rewritten, method: result.method, model: result.model, guard: result.guard, warnings: result.warnings ?? [] };
          }),
        );
        const only = arms.length === 1 ? arms[0]! : undefined;
        // Which persona sentence each added phrase came from (local, no LLM call); none for two blind candidates.
        const explained = only?.request.persona ? attributeRewrite(prompt, done[0]!.rewritten, only.request.persona) : undefined;
        post({
          type: 'done',
          result: {
            ...done[0]!,
            ...(done.length === 2 ? { candidates: [done[0]!, done[1]!] as [Candidate, Candidate] } : {}),
            ...(explained && explained.length <= 400 ? { explained } : {}),
          },
        });
      } catch (err) {
        if (!abort.signal.aborted) post({ type: 'error', error: toErrorBody(err) });
      }
    })();
  });
}
