import type { CommunityDescription } from '../../../shared/persona/assign.ts';
import type { ZippDb } from '../store/db.ts';
import { addHistory } from '../store/history.ts';
import { personaForSite } from '../store/personas.ts';
import { setRewriteOutcome } from '../store/rewrites.ts';
import { addVote } from '../store/votes.ts';
import { getSite, updateSite } from '../store/sites.ts';
import { redact, type LlmConnection } from '../llm/connection.ts';
import { NO_LLM, ZippError } from '../messages/errors.ts';
import type { Caller, Handlers } from '../messages/router.ts';
import { siteActivation, siteKey } from '../sites/state.ts';
import type { Engine } from './engine.ts';
import { ollamaOriginsFix, type OriginRuleState } from './origin-rule.ts';

export interface BackgroundDeps {
  db: ZippDb;
  loadConnection(): Promise<LlmConnection | undefined>;
  saveConnection(c: LlmConnection): Promise<void>;
  engineFor(c: LlmConnection): Engine;
  /** Sends `zipp/site-changed` to every tab; resolves with how many tabs had ZIPP's content script. */
  notifyTabs(): Promise<number>;
  openOptions(hash?: string): Promise<void>;
  /** The rewrite command's shortcut as the browser has it bound. */
  shortcut(): Promise<string>;
  /** Name, title, description and categories of these communities, from the table shipped with the model. */
  descriptions(names: string[]): Promise<CommunityDescription[]>;
  /** Points the Origin-removing session rule at this connection's server (origin-rule.ts). */
  syncOriginRule(c: LlmConnection | undefined): Promise<OriginRuleState>;
  /** chrome-extension://<id>/ */
  extensionOrigin: string;
}

/**
 * The page a request is about. For a content script it is the page it runs in, as the browser reports
 * it (never the URL in the payload); an extension page (the popup) names the tab's URL itself.
 */
export function pageUrlOf(caller: Caller, payloadUrl: string): URL {
  const raw = caller.kind === 'content' ? caller.url : payloadUrl;
  if (!raw) throw new ZippError('bad-request', 'the page has no URL');
  return new URL(raw);
}

export async function siteStateFor(deps: BackgroundDeps, url: URL) {
  const record = await getSite(deps.db, siteKey(url));
  const activation = siteActivation(url, record);
  const [connection, persona, shortcut] = await Promise.all([
    deps.loadConnection(),
    personaForSite(deps.db, activation.host),
    deps.shortcut(),
  ]);
  return {
    ...activation,
    ...(record?.promptSelector ? { picked: record.promptSelector } : {}),
    shortcut,
    ready: { llm: connection !== undefined, persona: persona !== undefined },
  };
}

export function createHandlers(deps: BackgroundDeps): Handlers {
  const engine = async () => {
    const c = await deps.loadConnection();
    if (!c) throw NO_LLM;
    return deps.engineFor(c);
  };
  return {
    'site/state': async ({ url }, caller) => siteStateFor(deps, pageUrlOf(caller, url)),

    'history/capture': async ({ url, prompt }, caller) => {
      const page = pageUrlOf(caller, url);
      const state = siteActivation(page, await getSite(deps.db, siteKey(page)));
      if (!state.active || !state.capture) return { stored: false };
      return { stored: (await addHistory(deps.db, state.host, prompt)) !== undefined };
    },

    'rewrite/outcome': async ({ logId, outcome }, caller) => {
      const row = await deps.db.rewrites.get(logId);
      // A content script may only settle rewrites made for its own site.
      if (!row || (caller.kind === 'content' && row.site !== siteKey(pageUrlOf(caller, '')))) {
        throw new ZippError('not-found', `no rewrite ${logId} for this page`);
      }
      await setRewriteOutcome(deps.db, logId, outcome);
      return {};
    },

    'sites/pick': async ({ url, selector }, caller) => {
      const page = pageUrlOf(caller, url);
      // Only where ZIPP is on (the picker runs in an active page): a page cannot plant selectors elsewhere.
      if (!siteActivation(page, await getSite(deps.db, siteKey(page))).active) throw new ZippError('site-off', `ZIPP is off on ${siteKey(page)}`);
      await updateSite(deps.db, siteKey(page), { promptSelector: selector ?? undefined });
      await deps.notifyTabs();
      return {};
    },

    'rewrite/choose': async ({ chosen, other }, caller) => {
      const [win, lose] = await Promise.all([deps.db.rewrites.get(chosen), deps.db.rewrites.get(other)]);
      const site = caller.kind === 'content' ? siteKey(pageUrlOf(caller, '')) : undefined;
      // Both from one pair, made for this page's site: a content script cannot invent or move votes.
      if (!win?.pair || !lose?.pair || win.pair.id !== lose.pair.id || win.pair.arm === lose.pair.arm || (site !== undefined && win.site !== site)) {
        throw new ZippError('not-found', `no pair of candidates ${chosen} and ${other} for this page`);
      }
      if (await deps.db.votes.where('site').equals(win.site).filter((v) => v.logIds?.includes(chosen) === true).count()) return {};
      const [a, b] = win.pair.arm === 'a' ? [win, lose] : [lose, win];
      await addVote(deps.db, {
        site: win.site,
        mode: win.pair.mode,
        a: a.pair!.label,
        b: b.pair!.label,
        aPersonaId: a.personaId ?? '',
        bPersonaId: b.personaId,
        winner: win.pair.arm,
        first: a.pair!.first ? 'a' : 'b',
        logIds: [a.id!, b.id!],
      });
      await Promise.all([setRewriteOutcome(deps.db, chosen, 'accepted'), setRewriteOutcome(deps.db, other, 'discarded')]);
      return {};
    },

    'options/open': async () => {
      await deps.openOptions();
      return {};
    },

    'llm/get': async () => {
      const c = await deps.loadConnection();
      return c ? redact(c) : null;
    },

    'llm/save': async ({ connection }) => {
      await deps.saveConnection(connection);
      await deps.syncOriginRule(connection);
      await deps.notifyTabs();
      return redact(connection);
    },

    'llm/test': async () => (await engine()).check(AbortSignal.timeout(30_000)),

    'llm/origin': async () => ({ ...(await deps.syncOriginRule(await deps.loadConnection())), fix: ollamaOriginsFix(deps.extensionOrigin) }),

    'sites/changed': async () => ({ tabs: await deps.notifyTabs() }),

    'persona/questionnaire': async ({ answers }) => (await engine()).questionnaire(answers, AbortSignal.timeout(120_000)),

    'persona/verbalize': async (input) => {
      const descriptions = await deps.descriptions(input.communities.map((c) => c.name));
      return (await engine()).verbalize(input, descriptions, AbortSignal.timeout(180_000));
    },
  };
}
