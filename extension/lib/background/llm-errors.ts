import { LlmError } from '../../../shared/llm/errors.ts';
import { ZippError } from '../messages/errors.ts';
import { ollamaOriginsFix } from './origin-rule.ts';

const WHERE = 'ZIPP options → Connection';

/**
 * The shared LLM errors name environment variables (they are written for the CLI and the server); in
 * the extension the fix is on the options page, so the same failures are told in its terms.
 */
export function explainLlmError(err: unknown, url: string, model?: string, extensionOrigin?: string): unknown {
  if (!(err instanceof LlmError)) return err;
  // 403 is what Ollama answers to an Origin it does not allow (the shared client files it with 401).
  if (err.code === 'bad-key' && (err.cause as { status?: unknown } | undefined)?.status === 403 && extensionOrigin) {
    return new ZippError(
      'origin-refused',
      `the server at ${url} refused ZIPP's requests (403 Forbidden), as Ollama does for browser extensions it was not told about: restart it with ${ollamaOriginsFix(extensionOrigin)} set (e.g. \`${ollamaOriginsFix(extensionOrigin)} ollama serve\`), or check the key in ${WHERE}`,
    );
  }
  switch (err.code) {
    case 'unreachable':
      return new ZippError(err.code, `cannot reach the LLM at ${url}: check that the server is running and the URL in ${WHERE}`);
    case 'bad-key':
      return new ZippError(err.code, `the LLM at ${url} rejected the API key (401): paste a valid key in ${WHERE}`);
    case 'unknown-model': {
      const available = (err as { available?: string[] }).available ?? [];
      const pick = available.length ? ` (it serves: ${available.slice(0, 5).join(', ')})` : '';
      return new ZippError(err.code, `the LLM at ${url} does not serve the model "${model ?? '?'}"${pick}: pick another in ${WHERE}`);
    }
    default:
      return new ZippError(err.code, err.message);
  }
}
