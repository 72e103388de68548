/** Persona input that cannot be used (bad community list, unreadable texts, …): the caller can fix it. */
export class PersonaInputError extends Error {
  override name = 'PersonaInputError';
}

/** The model's answer could not be turned into a persona (empty twice, or nothing left after the guard). */
export class PersonaGenerationError extends Error {
  override name = 'PersonaGenerationError';
}
