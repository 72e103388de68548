import { readFile } from 'node:fs/promises';
import { createLlmClient } from '../../shared/llm/client.ts';
import { LlmConfigError, LlmError } from '../../shared/llm/errors.ts';
import { llmSettingsFromEnv, NO_LLM_CONFIGURED } from '../../shared/llm/settings.ts';
import type { LlmSettings } from '../../shared/schemas/llm.ts';
import type { ChatClient } from '../../shared/llm/types.ts';
import type { CommandIO } from './command.ts';
import { CliError, UsageError } from './errors.ts';

/** A UTF-8 text file named by a flag; every failure is one line naming the flag and the fix. */
export async function readTextFile(flag: string, path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new UsageError(`--${flag}: cannot read ${path} (${why}): check the path`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new UsageError(`--${flag}: ${path} is not UTF-8 text: save it as UTF-8 (e.g. iconv -t UTF-8)`);
  }
}

/** The LLM from the environment; exit 2 with how to connect one when nothing (or nonsense) is set. */
export function llmFromEnv(io: CommandIO): { settings: LlmSettings; client: ChatClient } {
  let settings;
  try {
    settings = llmSettingsFromEnv(io.env);
  } catch (err) {
    if (err instanceof LlmConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (!settings) throw new UsageError(NO_LLM_CONFIGURED);
  return {
    settings,
    client: createLlmClient(settings, {
      onRetry: ({ retry, delayMs }) => io.stderr(`zipp: LLM busy or unreachable; retry ${retry} in ${(delayMs / 1000).toFixed(1)} s`),
    }),
  };
}

/** LLM failures: the caller's configuration (key, model) → exit 2; the endpoint or the work failing → 1. */
export function llmCliError(err: LlmError): CliError {
  return new CliError(err.message, err.code === 'bad-key' || err.code === 'unknown-model' || err.code === 'config' ? 2 : 1);
}
