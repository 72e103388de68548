import type { RewriteMethod, RewriteStrength } from '../schemas/rewrite.ts';
import type { ChatMessage } from '../llm/types.ts';

/**
 * Rewrite prompt templates, in this project's own words. Each has an id and a version, recorded in every
 * result as "id@version"; change the wording → bump the version, so results stay comparable.
 *
 * Shape (after the paper's protocol): the persona, when used, is the whole system message — the model
 * role-plays it; the user message carries the task, the examples (few-shot / retrieval) as "- " lines,
 * and the base prompt last, on a line of its own starting "Base prompt:".
 */

export interface TemplateInput {
  prompt: string;
  persona?: string;
  /** Earlier prompts of the user: few-shot examples or retrieved neighbours. */
  examples?: string[];
  /** One more instruction for a second attempt (guard reminder, echo nudge). */
  note?: string;
  /** What the placeholders of site syntax in the prompt are and that they stay (syntax.ts `syntaxNote`). */
  syntaxNote?: string;
  /** How far to move from the prompt (`STRENGTHS`); absent for "balanced", the templates' own wording. */
  strengthNote?: string;
}

/**
 * The strength dial: "balanced" is the templates as they are at the paper's temperature (0.7); "subtle"
 * asks for a light touch at 0.5 (the paper saw less over-personalization below 0.6), "strong" for a bold
 * one at 0.9. A request's own temperature wins over these.
 */
export const STRENGTHS: Record<RewriteStrength, { temperature?: number; note?: string }> = {
  subtle: {
    temperature: 0.5,
    note: 'Keep close to the base prompt: keep its wording and order, and add only one or two details that fit who you are.',
  },
  balanced: {},
  strong: {
    temperature: 0.9,
    note: 'Make the picture unmistakably yours: let your tastes decide the setting, details, light, mood and style, as long as every subject of the base prompt stays.',
  },
};

export interface RewriteTemplate {
  id: string;
  version: number;
  method: RewriteMethod;
  usesPersona: boolean;
  usesExamples: boolean;
  build(input: TemplateInput): ChatMessage[];
}

const TASK =
  'You are about to make a picture with a text-to-image model. Prompts that work well spell out the subject, the setting, concrete visual details, light, mood and style.';
const ANSWER_FORMAT = 'Reply with the new prompt alone, in fewer than 70 words: no title, no quotation marks, no comments.';

/** Examples are shown as "- " lines, each on one line and at most 60 words. */
function exampleLines(examples: readonly string[] = []): string {
  return examples
    .map((e) => {
      const words = e.replace(/\s+/g, ' ').trim().split(' ');
      return `- ${words.length > 60 ? `${words.slice(0, 60).join(' ')} …` : words.join(' ')}`;
    })
    .join('\n');
}

function userMessage(parts: (string | undefined)[], input: TemplateInput): ChatMessage {
  const prompt = input.prompt.replace(/\s+/g, ' ').trim();
  const content = [...parts, input.strengthNote, input.syntaxNote, input.note, ANSWER_FORMAT, `Base prompt: ${prompt}`].filter(Boolean).join('\n\n');
  return { role: 'user', content };
}

function withPersona(input: TemplateInput, user: ChatMessage): ChatMessage[] {
  if (!input.persona?.trim()) throw new Error('this template needs a persona');
  return [{ role: 'system', content: input.persona.trim() }, user];
}

function requireExamples(input: TemplateInput): string {
  if (!input.examples?.length) throw new Error('this template needs at least one example prompt');
  return exampleLines(input.examples);
}

export const TEMPLATES: Record<RewriteMethod, RewriteTemplate> = {
  baseline: {
    id: 'rewrite-baseline',
    version: 1,
    method: 'baseline',
    usesPersona: false,
    usesExamples: false,
    build: (input) => [
      userMessage(
        [
          TASK,
          'Turn the base prompt below into a fuller, more vivid prompt that will give a better picture. Everything it shows stays in: keep each subject and object it names.',
        ],
        input,
      ),
    ],
  },
  persona: {
    id: 'rewrite-persona',
    version: 1,
    method: 'persona',
    usesPersona: true,
    usesExamples: false,
    build: (input) =>
      withPersona(
        input,
        userMessage(
          [
            TASK,
            'Rewrite the base prompt below the way you yourself would write it, so that the picture reflects your tastes, habits and personality. What the prompt depicts must survive: keep each of its main subjects and what it is about, and let who you are shape the details, setting, light, mood and style.',
          ],
          input,
        ),
      ),
  },
  fewshot: {
    id: 'rewrite-fewshot',
    version: 1,
    method: 'fewshot',
    usesPersona: true,
    usesExamples: true,
    build: (input) =>
      withPersona(
        input,
        userMessage(
          [
            TASK,
            `Prompts you wrote before, which show the subjects, styles and wording you reach for:\n${requireExamples(input)}`,
            'Rewrite the base prompt below so that it sounds like you: true to who you are and to the habits these earlier prompts show. Keep each main subject of the base prompt; take style from the examples, not their subjects.',
          ],
          input,
        ),
      ),
  },
  'fewshot-baseline': {
    id: 'rewrite-fewshot-baseline',
    version: 1,
    method: 'fewshot-baseline',
    usesPersona: false,
    usesExamples: true,
    build: (input) => [
      userMessage(
        [
          TASK,
          `Prompts this user wrote before, which show the subjects, styles and wording they reach for:\n${requireExamples(input)}`,
          "Rewrite the base prompt below so that it matches the preferences these examples reveal. Keep each main subject of the base prompt; take style from the examples, not their subjects.",
        ],
        input,
      ),
    ],
  },
  retrieval: {
    id: 'rewrite-retrieval',
    version: 1,
    method: 'retrieval',
    usesPersona: false,
    usesExamples: true,
    build: (input) => [
      userMessage(
        [
          TASK,
          `Earlier prompts by the same user, picked because they are the closest to the new one:\n${requireExamples(input)}`,
          "Rewrite the base prompt below to suit this user's taste as these related prompts show it. Keep the primary objects of the base prompt; take style from the examples, not their subjects.",
        ],
        input,
      ),
    ],
  },
};

export const templateRef = (t: RewriteTemplate) => `${t.id}@${t.version}`;

/** Second-attempt note when the first rewrite dropped subjects. */
export const guardNote = (missing: readonly string[]) =>
  `Your previous version lost part of the picture. The new prompt must show, and name explicitly: ${missing.join(', ')}.`;

/** Second-attempt note when the first answer was empty or repeated the prompt unchanged. */
export const ECHO_NOTE = 'Your previous answer was empty or repeated the base prompt word for word. Write a genuinely rewritten prompt.';
