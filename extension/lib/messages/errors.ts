import { z } from 'zod';
import { KnownError, type ErrorKind } from '../../../shared/errors.ts';

/**
 * Failures that cross the message boundary (background → content script / options page) as a code and
 * ONE line the UI shows as is. LLM failures keep the shared LlmError codes.
 */
export const ErrorBody = z.object({ code: z.string().min(1), message: z.string().min(1) });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The extension's own failures by code; the kind (shared/errors.ts) says who can fix it. */
const KIND_OF_CODE: Record<string, ErrorKind> = {
  'bad-request': 'input',
  'no-persona': 'input',
  'site-off': 'input',
  forbidden: 'input',
  'not-found': 'not-found',
  'no-llm': 'config',
  'bad-key': 'config',
  'unknown-model': 'config',
  'not-available': 'unavailable',
  disconnected: 'unavailable',
  timeout: 'timeout',
  aborted: 'cancelled',
};

export class ZippError extends KnownError {
  constructor(code: string, message: string) {
    super(message, { code });
  }
  get kind(): ErrorKind {
    return KIND_OF_CODE[this.code] ?? 'upstream';
  }
  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

export const NO_LLM = new ZippError(
  'no-llm',
  'ZIPP is not connected to an LLM yet: open ZIPP options → Connection and add an OpenAI key, a local server URL or a ZIPP server',
);
export const NO_PERSONA = new ZippError(
  'no-persona',
  'you have no persona yet: open ZIPP options → Personas and write one (or let ZIPP infer one)',
);
