import { readFile } from 'node:fs/promises';
import { createLlmClient } from '../../shared/llm/client.ts';
import { llmSettingsFromEnv, NO_LLM_CONFIGURED } from '../../shared/llm/settings.ts';
import type { LlmSettings } from '../../shared/schemas/llm.ts';
import type { ChatClient } from '../../shared/llm/types.ts';
import type { CommandIO } from './command.ts';
import { ConfigError } from '../../shared/errors.ts';
import { UsageError } from './errors.ts';

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
  const settings = llmSettingsFromEnv(io.env); // an invalid setting throws LlmConfigError (exit 2)
  if (!settings) throw new ConfigError(NO_LLM_CONFIGURED);
  return {
    settings,
    client: createLlmClient(settings, {
      onRetry: ({ retry, delayMs }) => io.stderr(`zipp: LLM busy or unreachable; retry ${retry} in ${(delayMs / 1000).toFixed(1)} s`),
    }),
  };
}

