import type { QuestionnaireAnswers } from '../../../shared/persona/questionnaire.ts';
import type { CommunityDescription } from '../../../shared/persona/assign.ts';
import type { RewriteRequest, RewriteResult } from '../../../shared/schemas/rewrite.ts';
import type { PersonaDraftResult, VerbalizeRequest } from '../messages/protocol.ts';
import type { LanguageModelStatic } from '../llm/prompt-api.ts';

/**
 * What the background asks of "the LLM side", whichever the person connected: an OpenAI-compatible
 * endpoint (the shared client and rewrite pipeline run here, in the background) or a ZIPP server (which
 * runs the same pipeline itself and is reached over its HTTP API).
 */
export interface RewriteCallbacks {
  signal: AbortSignal;
  onDelta(text: string): void;
  /** The pipeline asks the LLM again (empty/echoed answer, or the subject guard): drop the streamed text. */
  onRestart(): void;
}

export interface Engine {
  /** Where requests go (shown in errors). */
  readonly url: string;
  check(signal?: AbortSignal): Promise<{ model: string; reply: string }>;
  rewrite(request: RewriteRequest, callbacks: RewriteCallbacks): Promise<RewriteResult>;
  questionnaire(answers: QuestionnaireAnswers, signal?: AbortSignal): Promise<PersonaDraftResult>;
  /** `descriptions`: what the bundled community table says about the listed communities. */
  verbalize(input: VerbalizeRequest, descriptions: CommunityDescription[], signal?: AbortSignal): Promise<PersonaDraftResult>;
}

/** What the engines are built with (tests pass their own fetch). */
export interface EngineOptions {
  fetch?: typeof fetch;
  /** chrome-extension://<id> (moz-extension://<uuid>): named in the fix when a server refuses ZIPP's origin. */
  extensionOrigin?: string;
  /** The browser's `LanguageModel` (the on-device connection); absent where the browser has none. */
  promptApi?: LanguageModelStatic;
}
