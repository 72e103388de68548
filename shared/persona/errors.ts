import { GenerationError, InputError, type ErrorDetails } from '../errors.ts';

/**
 * Persona input that cannot be used (bad community list, unreadable texts, …): the caller can fix it.
 * Messages start with the field they are about ("communities: …", "texts[3].text: …"), which becomes
 * `field` as a dotted path for the API.
 */
export class PersonaInputError extends InputError {
  constructor(message: string, details: ErrorDetails = {}) {
    const field = /^(?:questionnaire )?([\w.[\]]+):/.exec(message)?.[1]?.replace(/\[(\w+)\]/g, '.$1');
    super(message, { ...(field ? { field } : {}), ...details });
  }
}

/** The model's answer could not be turned into a persona (empty twice, or nothing left after the guard). */
export class PersonaGenerationError extends GenerationError {
  constructor(message: string, details: ErrorDetails = {}) {
    // The API has always reported this as the LLM failing (502 llm_error).
    super(message, { code: 'llm_error', ...details });
  }
}
