import { z } from 'zod';

/**
 * Failures that cross the message boundary (background → content script / options page) as a code and
 * ONE line the UI shows as is. LLM failures keep the shared LlmError codes.
 */
export const ErrorBody = z.object({ code: z.string().min(1), message: z.string().min(1) });
export type ErrorBody = z.infer<typeof ErrorBody>;

export class ZippError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ZippError';
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
