import { LlmAbortedError, LlmError } from '../../../shared/llm/errors.ts';
import type { ChatClient, ChatMessage, ChatOptions, ChatResult, ChatStream } from '../../../shared/llm/types.ts';
import { LlmSettings } from '../../../shared/schemas/llm.ts';
import { countTokens } from '../../../shared/text/tokens.ts';
import { ENGLISH, NO_PROMPT_API, ON_DEVICE_MODEL, type LanguageModelSession, type LanguageModelStatic } from './prompt-api.ts';

/**
 * The shared `ChatClient` over the browser's built-in model, so the rewrite pipeline (templates, hygiene,
 * subject guard) and persona writing run on it unchanged. One session per request: the system message
 * (the persona, when there is one) becomes the session's system prompt, earlier turns its initial prompts,
 * the last user message the prompt. The paper's temperature (0.7) is passed where the browser allows it
 * (up to `params().maxTemperature`, with the default topK, since the API takes both or neither). Failures
 * become the shared `LlmError`s with one line saying what to do.
 */
/** The temperature every other client uses unless told (the paper's 0.7), from the shared settings schema. */
const DEFAULT_TEMPERATURE = LlmSettings.shape.temperature.parse(undefined);
const WHERE = 'ZIPP options → Connection';

function toLlmError(err: unknown, signal?: AbortSignal): LlmError {
  if (err instanceof LlmError) return err;
  const name = (err as { name?: string })?.name;
  const message = String((err as { message?: unknown })?.message ?? err);
  if (name === 'AbortError' || signal?.aborted) return new LlmAbortedError({ cause: err });
  if (name === 'NotAllowedError') {
    return new LlmError('config', `the built-in model is not ready (${message}): download it from ${WHERE} → On this device`, { cause: err });
  }
  if (name === 'QuotaExceededError') {
    return new LlmError('bad-request', 'the persona and prompt are longer than the built-in model takes: shorten the persona, or use another provider', { cause: err });
  }
  if (name === 'NotSupportedError') return new LlmError('config', `the built-in model cannot do this (${message}): pick another provider in ${WHERE}`, { cause: err });
  return new LlmError('server-error', `the built-in model failed (${name ?? 'Error'}: ${message}): try again`, { cause: err });
}

export function onDeviceClient(api: LanguageModelStatic | undefined): ChatClient {
  const open = async (messages: ChatMessage[], options: ChatOptions): Promise<{ session: LanguageModelSession; input: string }> => {
    if (!api) throw new LlmError('config', NO_PROMPT_API);
    const last = messages.at(-1);
    if (!last || last.role !== 'user') throw new LlmError('bad-request', 'the conversation must end with a user message');
    const availability = await api.availability(ENGLISH);
    if (availability === 'unavailable') throw new LlmError('config', NO_PROMPT_API);
    if (availability !== 'available') {
      throw new LlmError('config', `the built-in model is ${availability === 'downloading' ? 'still downloading' : 'not downloaded yet'}: download it from ${WHERE} → On this device`);
    }
    const params = (await api.params?.()) ?? null;
    const wanted = options.temperature ?? DEFAULT_TEMPERATURE;
    const sampling = params ? { temperature: Math.min(wanted, params.maxTemperature), topK: params.defaultTopK } : {};
    const session = await api.create({
      ...ENGLISH,
      ...sampling,
      initialPrompts: messages.slice(0, -1),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { session, input: last.content };
  };

  const result = (messages: ChatMessage[], session: LanguageModelSession, text: string): ChatResult => {
    const promptTokens = session.inputUsage ?? messages.reduce((n, m) => n + countTokens(m.content), 0);
    const completionTokens = countTokens(text);
    return { text, model: ON_DEVICE_MODEL, usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, requests: 1 } };
  };

  return {
    model: ON_DEVICE_MODEL,
    async chat(messages, options = {}) {
      let session: LanguageModelSession | undefined;
      try {
        const opened = await open(messages, options);
        session = opened.session;
        const text = await session.prompt(opened.input, options.signal ? { signal: options.signal } : {});
        return result(messages, session, text);
      } catch (err) {
        throw toLlmError(err, options.signal);
      } finally {
        session?.destroy();
      }
    },
    stream(messages, options = {}): ChatStream {
      let resolve!: (r: ChatResult) => void;
      let reject!: (e: unknown) => void;
      const done = new Promise<ChatResult>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      done.catch(() => {}); // the iterator rethrows; a caller that only iterates must not see an unhandled rejection
      async function* chunks(): AsyncGenerator<string> {
        let session: LanguageModelSession | undefined;
        let text = '';
        try {
          const opened = await open(messages, options);
          session = opened.session;
          const reader = session.promptStreaming(opened.input, options.signal ? { signal: options.signal } : {}).getReader();
          for (;;) {
            const { done: end, value } = await reader.read();
            if (end) break;
            text += value;
            yield value;
          }
          resolve(result(messages, session, text));
        } catch (err) {
          const e = toLlmError(err, options.signal);
          reject(e);
          throw e;
        } finally {
          session?.destroy();
        }
      }
      return { [Symbol.asyncIterator]: chunks, result: done };
    },
  };
}
