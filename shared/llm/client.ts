import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { addUsage, emptyUsage, type LlmSettingsInput, type Usage } from '../schemas/llm.ts';
import { createChannel } from './channel.ts';
import { LlmAbortedError, LlmEmptyAnswerError, LlmTimeoutError } from './errors.ts';
import { createTransport, type AttemptScope, type TransportOptions } from './transport.ts';
import type { ChatClient, ChatMessage, ChatOptions, ChatResult, ChatStream } from './types.ts';

/**
 * `ChatClient` for any OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp, vLLM, LM Studio) on the
 * `openai` SDK. Isomorphic: the extension's background uses it too.
 *
 * - Temperature defaults to the settings' (0.7); `maxTokens` is sent only when set.
 * - Retries: 429 / 5xx / network errors, exponential backoff with full jitter or the server's Retry-After
 *   (see retry.ts); `settings.maxRetries` (default 3) retries at most.
 * - Timeout: per attempt (settings.timeoutMs, default 60 s, or ChatOptions.timeoutMs); for streams, the
 *   longest silence between two chunks. A timeout is not retried: a model that needed longer once will
 *   likely need longer again, and retrying would multiply the wait.
 * - Usage: tokens and HTTP requests summed over every attempt; failures carry it in `LlmError.usage`.
 *   Streams ask for the final usage chunk (`stream_options.include_usage`); a server that sends none
 *   reports 0 tokens (requests are still counted).
 * - An answer with no text throws LlmEmptyAnswerError (callers decide whether to ask again).
 */
export function createLlmClient(settings: LlmSettingsInput, options: TransportOptions = {}): ChatClient {
  const transport = createTransport(settings, options);
  const s = transport.settings;

  const body = (messages: ChatMessage[], o: ChatOptions): ChatCompletionCreateParamsNonStreaming => ({
    model: s.model,
    messages,
    temperature: o.temperature ?? s.temperature,
    ...((o.maxTokens ?? s.maxTokens) !== undefined ? { max_tokens: o.maxTokens ?? s.maxTokens } : {}),
  });
  const signalOf = (o: ChatOptions) => (o.signal ? { signal: o.signal } : {});

  async function chat(messages: ChatMessage[], o: ChatOptions = {}): Promise<ChatResult> {
    const usage = emptyUsage();
    const { value: completion } = await transport.call(
      (scope) => transport.sdk.chat.completions.create(body(messages, o), { signal: scope.signal }),
      { ...signalOf(o), timeoutMs: o.timeoutMs ?? s.timeoutMs, usage },
    );
    const total = addUsage(usage, fromApiUsage(completion.usage));
    const model = completion.model || s.model;
    const text = completion.choices[0]?.message?.content ?? '';
    if (!text.trim()) throw new LlmEmptyAnswerError(model, { usage: total });
    return { text, model, usage: total };
  }

  function stream(messages: ChatMessage[], o: ChatOptions = {}): ChatStream {
    const channel = createChannel<string>();
    const timeoutMs = o.timeoutMs ?? s.timeoutMs;
    const run = async (): Promise<ChatResult> => {
      let usage = emptyUsage();
      let scope: AttemptScope | undefined;
      try {
        // Retries cover opening the stream (where 429 / 5xx / refused connections show up); once text has
        // flowed to the consumer a failure is final, since a retry would repeat what they already saw.
        const opened = await transport.call(
          (sc) =>
            transport.sdk.chat.completions.create(
              { ...body(messages, o), stream: true, stream_options: { include_usage: true } },
              { signal: sc.signal },
            ),
          { ...signalOf(o), timeoutMs, usage, keepScope: true },
        );
        scope = opened.scope;
        let text = '';
        let model = s.model;
        for await (const chunk of opened.value) {
          scope.touch();
          if (chunk.model) model = chunk.model;
          const delta = chunk.choices[0]?.delta?.content;
          if (delta) {
            text += delta;
            channel.push(delta);
          }
          if (chunk.usage) usage = addUsage(usage, fromApiUsage(chunk.usage));
        }
        // The SDK ends a stream quietly when its signal aborts; ours aborts on timeout and on cancel.
        if (scope.timedOut) throw new LlmTimeoutError(timeoutMs, { usage });
        if (o.signal?.aborted) throw new LlmAbortedError({ usage });
        if (!text.trim()) throw new LlmEmptyAnswerError(model, { usage });
        return { text, model, usage };
      } catch (error) {
        throw await transport.toLlmError(error, { ...(scope ? { scope } : {}), ...signalOf(o), attempts: usage.requests, usage, timeoutMs });
      } finally {
        scope?.done();
      }
    };
    const result = run().then(
      (r) => {
        channel.end();
        return r;
      },
      (error: unknown) => {
        channel.fail(error);
        throw error;
      },
    );
    // The failure reaches whoever iterates or awaits `result`; nobody doing so must not crash the process.
    result.catch(() => {});
    return { result, [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator]() };
  }

  return { model: s.model, chat, stream };
}

function fromApiUsage(u: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null | undefined): Usage {
  const promptTokens = u?.prompt_tokens ?? 0;
  const completionTokens = u?.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: u?.total_tokens ?? promptTokens + completionTokens, requests: 0 };
}
