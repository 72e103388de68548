/**
 * Persona verbalization: the public API. See shared/README.md ("Persona") for the pipeline.
 */
export { assignTexts, nameWords, type CommunityDescription } from './assign.ts';
export { allocateBudget, DEFAULT_CONTEXT_BUDGET, ImportanceError, MAX_CONTEXT_COMMUNITIES, type CommunityAllocation } from './budget.ts';
export { cleanEvidenceText, countWords, isRemovedText, MIN_EVIDENCE_WORDS, stripUrlsAndMentions } from './clean.ts';
export {
  buildVerbalizationContext,
  UNASSIGNED,
  type CandidateText,
  type ContextInput,
  type ContextItem,
  type ContextOptions,
  type VerbalizationContext,
} from './context.ts';
export { dedupeTexts, NEAR_DUPLICATE_THRESHOLD } from './dedupe.ts';
export { DIVERSITY_LAMBDA, rankRelevance, selectDiverse } from './diversity.ts';
export { PersonaGenerationError, PersonaInputError } from './errors.ts';
export { capPersonaLength, cleanPersonaAnswer } from './hygiene.ts';
export {
  activityScorer,
  createTfidfScorer,
  documentFrequencies,
  tfidfImportance,
  type DocumentFrequencies,
  type Importance,
  type ImportanceScorer,
} from './importance.ts';
export { parseTextsJsonl, splitConcatenatedComments, TextRecord } from './inputs.ts';
export {
  formatAnswers,
  parseQuestionnaireAnswers,
  QUESTIONNAIRE,
  QuestionnaireAnswers,
  QuestionnaireError,
  type Question,
  type QuestionnaireInput,
} from './questionnaire.ts';
export { findSensitive, guardSensitive, type GuardResult, type RemovedSentence, type SensitiveCategory, type SensitiveFinding } from './sensitive.ts';
export { PERSONA_FROM_COMMUNITIES, PERSONA_FROM_HISTORY, PERSONA_FROM_QUESTIONNAIRE, PERSONA_FROM_TEXTS, type PersonaTemplate } from './templates.ts';
export { personaFromHistory, personaFromQuestionnaire, verbalizePersona, type GenerationOptions, type PersonaResult, type VerbalizeInput } from './verbalize.ts';
