import type { LlmConnection } from '../llm/connection.ts';
import type { LanguageModelStatic } from '../llm/prompt-api.ts';
import type { Engine } from './engine.ts';
import { localEngine } from './local-engine.ts';
import { zippServerEngine } from './zipp-server-engine.ts';

/** The engine for what the person connected: a ZIPP server over its HTTP API, else an OpenAI-compatible endpoint. */
export interface EngineOptions {
  fetch?: typeof fetch;
  /** chrome-extension://<id> (moz-extension://<uuid>): named in the fix when a server refuses ZIPP's origin. */
  extensionOrigin?: string;
  /** The browser's `LanguageModel` (the on-device connection); absent where the browser has none. */
  promptApi?: LanguageModelStatic;
}

export function engineFor(connection: LlmConnection, options: EngineOptions = {}): Engine {
  return connection.kind === 'zipp' ? zippServerEngine(connection, options) : localEngine(connection, options);
}
