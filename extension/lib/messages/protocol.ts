import { z } from 'zod';
import { QuestionnaireAnswers } from '../../../shared/persona/questionnaire.ts';
import { CommunityList } from '../../../shared/schemas/community.ts';
import { PersonaEvidence } from '../../../shared/schemas/persona.ts';
import { BasePrompt, GuardStatus, RewriteMethod } from '../../../shared/schemas/rewrite.ts';
import { LlmConnection, RedactedConnection } from '../llm/connection.ts';
import { ErrorBody } from './errors.ts';

/**
 * Every message between the extension's parts, as zod schemas. Requests go to the background, which
 * validates them, checks who sent them (`from`), and answers `{ok, data}` or `{ok: false, error}`.
 *
 * Content scripts may only ask what a page's prompt box needs: the site's state, to store a submitted
 * prompt (where the person opted in), to report what happened to a rewrite, and — over the rewrite port —
 * to rewrite a prompt after a trusted click or shortcut. They never receive the persona or the LLM key.
 * Pages cannot message the extension at all (no `externally_connectable`).
 */
export const SiteState = z.object({
  host: z.string(),
  /** Whether the inline button and shortcut are on for this page. */
  active: z.boolean(),
  /** The site adapter's id, or 'generic' for any other site the person turned on. */
  adapter: z.string(),
  label: z.string(),
  capture: z.boolean(),
  /** The selector of the prompt box the person picked on this site, if any. */
  picked: z.string().optional(),
  /** The rewrite shortcut as the browser has it bound (the person can change it). */
  shortcut: z.string(),
  ready: z.object({ llm: z.boolean(), persona: z.boolean() }),
});
export type SiteState = z.infer<typeof SiteState>;

const Empty = z.object({}).strict();

/** A generated persona before the person edits and saves it. */
export const PersonaDraftResult = z.object({
  text: z.string(),
  template: z.string(),
  model: z.string(),
  evidence: PersonaEvidence,
  warnings: z.array(z.string()),
});
export type PersonaDraftResult = z.infer<typeof PersonaDraftResult>;

/** Caps that keep one message small: an export can hold tens of thousands of comments. */
export const MAX_EVIDENCE_TEXTS = 5000;
export const MAX_EVIDENCE_TEXT_CHARS = 4000;

export const VerbalizeRequest = z.object({
  communities: CommunityList,
  /** The encoder's per-community importance (mean attention), when it ran; else activity share is used. */
  importance: z.array(z.object({ name: z.string().min(1), weight: z.number().min(0) })).optional(),
  /** The person's own posts and comments (from a Reddit export). */
  texts: z
    .array(z.object({ community: z.string().min(1), text: z.string().min(1).max(MAX_EVIDENCE_TEXT_CHARS) }))
    .max(MAX_EVIDENCE_TEXTS, `at most ${MAX_EVIDENCE_TEXTS} texts; the newest are the best evidence`)
    .optional(),
});
export type VerbalizeRequest = z.infer<typeof VerbalizeRequest>;

export const OriginStatus = z.object({
  state: z.enum(['active', 'none', 'unavailable']),
  server: z.string().optional(),
  reason: z.string().optional(),
  /** `OLLAMA_ORIGINS=chrome-extension://<this id>`: what the server needs where the rule cannot apply. */
  fix: z.string(),
});
export type OriginStatus = z.infer<typeof OriginStatus>;
const PageUrl = z.url().refine((u) => /^https?:/i.test(u), 'only http(s) pages');

export const RPC = {
  'site/state': { from: 'content', request: z.object({ url: PageUrl }), response: SiteState },
  'history/capture': {
    from: 'content',
    request: z.object({ url: PageUrl, prompt: BasePrompt }),
    response: z.object({ stored: z.boolean() }),
  },
  'rewrite/outcome': {
    from: 'content',
    request: z.object({ logId: z.number().int().positive(), outcome: z.enum(['accepted', 'undone', 'discarded']) }),
    response: Empty,
  },
  /** The person picked one of two candidates (and wrote it into the box): keep the vote. */
  'rewrite/choose': {
    from: 'content',
    request: z.object({ chosen: z.number().int().positive(), other: z.number().int().positive() }),
    response: Empty,
  },
  /** The person picked the prompt box on this page (or forgot the pick: null). */
  'sites/pick': { from: 'content', request: z.object({ url: PageUrl, selector: z.string().min(1).max(1000).nullable() }), response: Empty },
  'options/open': { from: 'content', request: Empty, response: Empty },
  'llm/get': { from: 'extension', request: Empty, response: RedactedConnection.nullable() },
  'llm/save': { from: 'extension', request: z.object({ connection: LlmConnection }), response: RedactedConnection },
  'llm/test': { from: 'extension', request: Empty, response: z.object({ model: z.string(), reply: z.string() }) },
  /** Whether ZIPP's requests to the configured server go without an Origin header (see origin-rule.ts). */
  'llm/origin': { from: 'extension', request: Empty, response: OriginStatus },
  'persona/questionnaire': { from: 'extension', request: z.object({ answers: QuestionnaireAnswers }), response: PersonaDraftResult },
  'persona/verbalize': { from: 'extension', request: VerbalizeRequest, response: PersonaDraftResult },
  /** Tell content scripts in open tabs to re-read their site's state (after a switch was flipped). */
  'sites/changed': { from: 'extension', request: Empty, response: z.object({ tabs: z.number().int() }) },
} as const;

export type RpcType = keyof typeof RPC;
export type RpcRequest<T extends RpcType> = z.input<(typeof RPC)[T]['request']>;
export type RpcResponse<T extends RpcType> = z.output<(typeof RPC)[T]['response']>;

export const Envelope = z.object({ zipp: z.literal(1), type: z.string(), payload: z.unknown() });
export const Reply = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorBody }),
]);

/** The port a content script opens to rewrite one prompt (streaming needs more than one answer). */
export const REWRITE_PORT = 'zipp-rewrite';

export const RewritePortIn = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), url: PageUrl, prompt: BasePrompt, trigger: z.enum(['button', 'shortcut']) }),
  z.object({ type: z.literal('cancel') }),
]);
export type RewritePortIn = z.infer<typeof RewritePortIn>;

/** The diff of a rewrite, each added phrase with the persona sentences behind it (shared/rewrite/attribution.ts). */
export const ExplainedDiff = z
  .array(
    z.object({
      kind: z.enum(['same', 'added', 'removed']),
      text: z.string(),
      sources: z.array(z.string()).max(2).optional(),
      supported: z.boolean().optional(),
    }),
  )
  .max(400);
export type ExplainedDiff = z.infer<typeof ExplainedDiff>;

const Rewritten = z.object({
  logId: z.number().int().positive(),
  rewritten: z.string(),
  method: RewriteMethod,
  model: z.string(),
  guard: GuardStatus,
  warnings: z.array(z.string()).default([]),
});
export const RewriteDone = Rewritten.extend({
  /**
   * One rewrite only (two candidates stay blind): its diff with each added phrase linked to the persona
   * sentences it most likely came from. Those sentences are the only part of the persona a content script
   * ever gets, drawn where the page cannot read them (PrivateText in the closed root).
   */
  explained: ExplainedDiff.optional(),
  /**
   * Two candidates in the order to show them (random), when the person asked for two; the fields above
   * are then the first one's. Which one is the persona's is not said: the choice is blind.
   */
  candidates: z.tuple([Rewritten, Rewritten]).optional(),
});
export type RewriteDone = z.infer<typeof RewriteDone>;
export type Candidate = z.infer<typeof Rewritten>;

export const RewritePortOut = z.discriminatedUnion('type', [
  /** `candidate`: which of two candidates (shown order) the text belongs to. */
  z.object({ type: z.literal('delta'), text: z.string(), candidate: z.union([z.literal(0), z.literal(1)]).optional() }),
  /** The LLM is asked again (the first answer lost a subject of the prompt): clear the streamed text. */
  z.object({ type: z.literal('restart'), candidate: z.union([z.literal(0), z.literal(1)]).optional() }),
  z.object({ type: z.literal('done'), result: RewriteDone }),
  z.object({ type: z.literal('error'), error: ErrorBody }),
]);
export type RewritePortOut = z.infer<typeof RewritePortOut>;

/** Background → content script, through `tabs.sendMessage`. */
export const TabEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('zipp/shortcut') }),
  z.object({ type: z.literal('zipp/site-changed') }),
  /** From the popup: let the person click the prompt box. */
  z.object({ type: z.literal('zipp/pick') }),
  /** From the popup: whether this page's prompt box was found, and how (answered with BoxStatus). */
  z.object({ type: z.literal('zipp/status') }),
  /** From the popup: forget the box picked on this site (answered with BoxStatus once forgotten). */
  z.object({ type: z.literal('zipp/forget-pick') }),
]);

export const BoxStatus = z.object({
  active: z.boolean(),
  found: z.boolean(),
  by: z.enum(['picked', 'adapter', 'fallback', 'focused']).nullable(),
  picked: z.string().optional(),
  pickedMissing: z.boolean(),
});
export type BoxStatus = z.infer<typeof BoxStatus>;
export type TabEvent = z.infer<typeof TabEvent>;
