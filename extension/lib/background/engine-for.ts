import type { LlmConnection } from '../llm/connection.ts';
import type { Engine, EngineOptions } from './engine.ts';
import { localEngine } from './local-engine.ts';
import { zippServerEngine } from './zipp-server-engine.ts';

/** The engine for what the person connected: a ZIPP server over its HTTP API, else an OpenAI-compatible endpoint. */
export function engineFor(connection: LlmConnection, options: EngineOptions = {}): Engine {
  return connection.kind === 'zipp' ? zippServerEngine(connection, options) : localEngine(connection, options);
}
