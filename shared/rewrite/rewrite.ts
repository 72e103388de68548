import { addUsage, emptyUsage, type Usage } from '../schemas/llm.ts';
import { PERSONA_MAX_TOKENS } from '../schemas/persona.ts';
import { RewriteRequest, type GuardStatus, type RewriteMethod, type RewriteResult } from '../schemas/rewrite.ts';
import { LlmAbortedError, LlmEmptyAnswerError, LlmError } from '../llm/errors.ts';
import type { ChatClient, ChatMessage } from '../llm/types.ts';
import { fitsTokens } from '../text/tokens.ts';
import { recentExamples, retrieveExamples, usableHistory, type Embed } from './examples.ts';
import { cleanAnswer, REWRITE_MAX_WORDS, sameText } from './hygiene.ts';
import { PAPER_TEMPLATES } from './paper-templates.ts';
import { extractSubjects, missingSubjects } from './subjects.ts';
import { hasSyntax, restorePrompt, restoringStream, splitPrompt, syntaxFree, syntaxNote } from './syntax.ts';
import { ECHO_NOTE, guardNote, STRENGTHS, templateRef, TEMPLATES, type TemplateInput } from './templates.ts';
import { InputError } from '../errors.ts';

/**
 * The rewrite pipeline: pick the examples, fill the template, ask the LLM, clean the answer, and check that
 * the primary subjects survived.
 *
 *   1. one request; an empty or echoed answer is asked for once more (with a nudge);
 *   2. the guard: if the cleaned rewrite lost a subject of the base prompt, ask once more at temperature
 *      0.5 (or the request's, if lower) with the missing subjects named; guard = passed | retried | failed;
 *      on failure the attempt missing fewer subjects is returned, with `missing` listing them.
 * So a rewrite costs 1 to 3 requests; `usage` sums them all.
 *
 * The `paper` protocol (benchmarks reproducing the paper, App. D) instead: the paper's templates
 * (paper-templates.ts), the answer cleaned but never cut to a word count, no echo nudge, and the guard
 * only measures — `passed` or `failed`, never a second attempt. An empty answer is asked for once more
 * unchanged (an empty prompt cannot be rendered); so a rewrite costs 1 request, 2 when the first is empty.
 */

export const DEFAULT_K = 3;
/** Lower temperature of the guard's second attempt: the paper saw less over-personalization below 0.6. */
export const GUARD_RETRY_TEMPERATURE = 0.5;

/** A request that cannot be served as given; the message is one line naming the field and the fix. */
export class RewriteInputError extends InputError {
  declare readonly field: 'prompt' | 'persona' | 'history' | 'method' | 'k' | 'temperature' | 'retrieval' | 'syntax' | 'strength';
  constructor(field: RewriteInputError['field'], message: string) {
    // The message names the field first, as every door shows it ("persona: …"; the CLI as "--persona: …").
    super(message.startsWith(`${field}:`) ? message : `${field}: ${message}`, { field });
  }
}

/** `product`: what the extension and the server ship. `paper`: the paper's protocol, for benchmarks. */
export const REWRITE_PROTOCOLS = ['product', 'paper'] as const;
export type RewriteProtocol = (typeof REWRITE_PROTOCOLS)[number];

export interface RewriteOptions {
  /** Default `product`. */
  protocol?: RewriteProtocol;
  signal?: AbortSignal;
  /** Raw text deltas as the model streams them (before cleaning); a second attempt streams anew. */
  onDelta?: (text: string) => void;
  /**
   * Called before the pipeline asks the LLM again (attempt 2, 3, …: an empty or echoed answer, the subject
   * guard): what was streamed so far does not count, the deltas that follow are the new attempt's.
   */
  onAttempt?: (attempt: number) => void;
  /** Embedding function for `retrieval` by embedding similarity; without it retrieval uses BM25. */
  embed?: Embed;
}

/** The default method for a request: persona when there is one, else baseline. */
export const methodFor = (persona: string | undefined, method?: RewriteMethod): RewriteMethod =>
  method ?? (persona ? 'persona' : 'baseline');

function validate(input: unknown): RewriteRequest {
  const parsed = RewriteRequest.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'prompt') as RewriteInputError['field'];
    throw new RewriteInputError(field, `${field}: ${issue.message}`);
  }
  return parsed.data;
}

export async function rewritePrompt(client: ChatClient, request: RewriteRequest, options: RewriteOptions = {}): Promise<RewriteResult> {
  const req = validate(request);
  const method = methodFor(req.persona, req.method);
  const paper = options.protocol === 'paper';
  const template = (paper ? PAPER_TEMPLATES : TEMPLATES)[method];
  const maxWords = paper ? Infinity : REWRITE_MAX_WORDS;
  const k = req.k ?? DEFAULT_K;
  const warnings: string[] = [];

  if (template.usesPersona && !req.persona) {
    throw new RewriteInputError('persona', `method "${method}" needs a persona: give one, or use method "${method === 'fewshot' ? 'fewshot-baseline' : 'baseline'}"`);
  }
  if (!template.usesPersona && req.persona) warnings.push(`method "${method}" does not use the persona; it was ignored`);
  if (req.persona && template.usesPersona && !fitsTokens(req.persona, PERSONA_MAX_TOKENS)) {
    throw new RewriteInputError('persona', `persona: over ${PERSONA_MAX_TOKENS} tokens, where models start to invent details: shorten it`);
  }

  // Site syntax (Midjourney parameters, SD weights, LoRA tags) is taken off here and put back at the end.
  const syntax = req.syntax ?? 'none';
  const split = splitPrompt(req.prompt, syntax);
  const words = split.text.replace(/⟦\d+⟧/g, ' ');
  if (!words.trim()) {
    throw new RewriteInputError('prompt', `prompt: only ${split.syntax} syntax (parameters, weights, tags) and no words to rewrite: add what the picture shows`);
  }
  const note = syntaxNote(split);
  // The strength dial (paper protocol: the paper's wording and temperature only).
  const strength = STRENGTHS[req.strength ?? 'balanced'];
  if (paper && req.strength && req.strength !== 'balanced') warnings.push(`strength "${req.strength}" is not part of the paper protocol; it was ignored`);
  const temperature = req.temperature ?? (paper ? undefined : strength.temperature);
  const input: TemplateInput = {
    prompt: split.text,
    ...(template.usesPersona ? { persona: req.persona! } : {}),
    ...(note ? { syntaxNote: note } : {}),
    ...(!paper && strength.note ? { strengthNote: strength.note } : {}),
  };
  if (template.usesExamples) {
    const history = usableHistory(req.history ?? [], req.prompt);
    if (history.length === 0) {
      throw new RewriteInputError('history', `method "${method}" needs earlier prompts of the user (history): give at least one, or use method "${req.persona ? 'persona' : 'baseline'}"`);
    }
    if (method === 'retrieval') {
      const byEmbedding = req.retrieval === 'embedding';
      if (byEmbedding && !options.embed) throw new RewriteInputError('retrieval', 'retrieval: "embedding" needs an embedding function; use "bm25"');
      const found = await retrieveExamples(req.prompt, history, k, byEmbedding ? options.embed : req.retrieval === 'bm25' ? undefined : options.embed);
      if (found.matched < found.examples.length) {
        warnings.push(`only ${found.matched} of the ${found.examples.length} examples resemble the prompt; the rest are the most recent prompts`);
      }
      input.examples = found.examples;
    } else {
      input.examples = recentExamples(history, k);
    }
    // The examples show the person's words; their syntax would only tempt the model to copy it.
    if (syntax !== 'none') input.examples = input.examples.map((e) => syntaxFree(e, syntax)).filter(Boolean);
  } else if (req.history?.length) {
    warnings.push(`method "${method}" does not use the history; it was ignored`);
  }

  let usage: Usage = emptyUsage();
  let model = client.model;
  let attempts = 0;
  /** One request → cleaned text ('' when the model gave nothing). */
  const ask = async (messages: ChatMessage[], temperature: number | undefined): Promise<string> => {
    if (++attempts > 1) options.onAttempt?.(attempts);
    const chatOptions = { ...(temperature !== undefined ? { temperature } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    try {
      let result;
      if (options.onDelta) {
        const onDelta = options.onDelta;
        const stream = client.stream(messages, chatOptions);
        // Deltas show the syntax already put back (a placeholder cut across two deltas waits for its end).
        const restoring = hasSyntax(split) ? restoringStream(split) : undefined;
        for await (const delta of stream) {
          const out = restoring ? restoring.feed(delta) : delta;
          if (out) onDelta(out);
        }
        const tail = restoring?.end();
        if (tail) onDelta(tail);
        result = await stream.result;
      } else {
        result = await client.chat(messages, chatOptions);
      }
      usage = addUsage(usage, result.usage);
      model = result.model;
      const cleaned = cleanAnswer(result.text, maxWords);
      if (cleaned.cut && !warnings.some((w) => w.startsWith('the answer was cut'))) warnings.push(`the answer was cut to ${REWRITE_MAX_WORDS} words`);
      return cleaned.text;
    } catch (error) {
      if (error instanceof LlmError && error.usage) usage = addUsage(usage, error.usage);
      if (error instanceof LlmEmptyAnswerError) return '';
      if (error instanceof LlmError) error.usage = usage;
      throw error;
    }
  };

  // 1. First answer; an empty or echoed one gets one more try (paper: an empty one, the same request).
  let text = await ask(template.build(input), temperature);
  if (!text || (!paper && sameText(text, split.text))) {
    const again = await ask(template.build(paper ? input : { ...input, note: ECHO_NOTE }), temperature);
    if (again) text = again;
  }
  if (!text) throw new LlmEmptyAnswerError(model, { usage });
  if (sameText(text, split.text)) warnings.push('the model returned the prompt unchanged');

  // 2. The guard (paper: the verdict only).
  const subjects = extractSubjects(words);
  let missing = missingSubjects(subjects, text);
  let guard: GuardStatus = 'passed';
  if (missing.length > 0 && paper) {
    guard = 'failed';
    warnings.push(`the rewrite lacks ${missing.join(', ')} from the prompt (the paper protocol makes no second attempt)`);
  } else if (missing.length > 0) {
    const retryTemperature = Math.min(temperature ?? GUARD_RETRY_TEMPERATURE, GUARD_RETRY_TEMPERATURE);
    let retry = '';
    try {
      retry = await ask(template.build({ ...input, note: guardNote(missing) }), retryTemperature);
    } catch (error) {
      if (error instanceof LlmAbortedError || !(error instanceof LlmError)) throw error;
      warnings.push(`the guard's second attempt failed: ${error.message}`);
    }
    const retryMissing = retry ? missingSubjects(subjects, retry) : missing;
    if (retry && retryMissing.length <= missing.length) {
      text = retry;
      missing = retryMissing;
    }
    guard = missing.length === 0 ? 'retried' : 'failed';
    if (guard === 'failed') warnings.push(`the rewrite still lacks ${missing.join(', ')} from the prompt: review it before use`);
  }

  let rewritten = text;
  if (hasSyntax(split)) {
    const restored = restorePrompt(text, split);
    rewritten = restored.text;
    warnings.push(...restored.warnings);
  }

  return {
    rewritten,
    method,
    template: templateRef(template),
    model,
    guard,
    usage,
    ...(missing.length ? { missing } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}
