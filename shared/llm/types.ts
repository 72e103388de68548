import type { Usage } from '../schemas/llm.ts';

/**
 * The one interface every LLM-using piece (rewriting, persona verbalization, the server, the extension's
 * background) codes against. `createLlmClient` in ./client.ts implements it on the `openai` SDK for any
 * OpenAI-compatible endpoint.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  /** Defaults to the client's settings (0.7 unless configured). */
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  /** Per-request timeout; defaults to the client's settings. */
  timeoutMs?: number;
}

export interface ChatResult {
  text: string;
  model: string;
  usage: Usage;
}

export interface ChatClient {
  readonly model: string;
  /** One completion, retried on 429 / 5xx / network errors; throws a typed LlmError otherwise. */
  chat(messages: ChatMessage[], options?: ChatOptions): Promise<ChatResult>;
  /**
   * Streams text deltas as they arrive; the returned promise-like `result` resolves with the full text
   * and usage once the stream ends.
   */
  stream(messages: ChatMessage[], options?: ChatOptions): ChatStream;
}

export interface ChatStream extends AsyncIterable<string> {
  readonly result: Promise<ChatResult>;
}
