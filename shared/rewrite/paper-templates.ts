import type { ChatMessage } from '../llm/types.ts';
import type { RewriteMethod } from '../schemas/rewrite.ts';
import type { RewriteTemplate, TemplateInput } from './templates.ts';

/**
 * The rewrite templates of the paper's protocol (Appendix D, Tables 3–6), in substance and in this
 * project's own words, for benchmark runs that must mean what the paper's numbers mean. They differ from
 * the product templates (templates.ts) where the paper does:
 * - only the zero-shot rewrite without persona (Table 3) asks for fewer than 70 words; the persona and
 *   few-shot prompts (Tables 4–6) set no length;
 * - the base prompt sits inside the task text, the reply instruction closes the message;
 * - earlier prompts are shown whole (the paper's "{previous prompts}"), one per line.
 * Tailored Visions (`retrieval`) is not in the paper's appendix: its template follows that paper's
 * description (rewrite the query to match the retrieved prompts, keep the primary objects, under 70 words).
 * No note slot: the paper protocol makes no second attempt with extra instructions.
 */

const OPENING = 'You want to generate an image with a text-to-image model.';
const ONLY_THE_PROMPT = 'Reply with the rewritten prompt only, with no explanations or commentary.';

const examples = (input: TemplateInput): string => {
  if (!input.examples?.length) throw new Error('this template needs at least one example prompt');
  return input.examples.map((e) => `- ${e.replace(/\s+/g, ' ').trim()}`).join('\n');
};
const basic = (input: TemplateInput) => `Basic prompt: ${input.prompt.replace(/\s+/g, ' ').trim()}`;
const user = (...parts: string[]): ChatMessage => ({ role: 'user', content: parts.join('\n\n') });
const persona = (input: TemplateInput): ChatMessage => {
  if (!input.persona?.trim()) throw new Error('this template needs a persona');
  return { role: 'system', content: input.persona.trim() };
};

export const PAPER_TEMPLATES: Record<RewriteMethod, RewriteTemplate> = {
  // Table 3: no system message; the only template with a length limit.
  baseline: {
    id: 'paper-rewrite-baseline',
    version: 1,
    method: 'baseline',
    usesPersona: false,
    usesExamples: false,
    build: (input) => [
      user(
        `${OPENING} A strong prompt spells out the scene, the subjects, visual details, mood, style and lighting. Rewrite the basic prompt below into a richer, more vivid version that gives a better image.`,
        basic(input),
        'Reply with the improved prompt only, in fewer than 70 words, with no explanations or commentary.',
      ),
    ],
  },
  // Table 4: the persona is the whole system message.
  persona: {
    id: 'paper-rewrite-persona',
    version: 1,
    method: 'persona',
    usesPersona: true,
    usesExamples: false,
    build: (input) => [
      persona(input),
      user(
        `${OPENING} A strong prompt spells out the scene, the objects, visual details, mood and style. Rewrite the basic prompt so that it reflects your own preferences, style and personality. The rewritten prompt must keep the primary subjects and the intent of the original while fitting your traits, personality and interests.`,
        basic(input),
        ONLY_THE_PROMPT,
      ),
    ],
  },
  // Table 5.
  fewshot: {
    id: 'paper-rewrite-fewshot',
    version: 1,
    method: 'fewshot',
    usesPersona: true,
    usesExamples: true,
    build: (input) => [
      persona(input),
      user(
        `${OPENING} A strong prompt spells out the scene, the objects, visual details, mood and style. Below are prompts you wrote before; they show your preferences, your artistic style and the choices you typically make:`,
        examples(input),
        'Drawing on these examples and on who you are (your interests, personality and style), rewrite the basic prompt so that it fits both your persona and the preferences you have shown. The rewritten prompt must keep the primary objects of the original while expressing your own stylistic choices.',
        basic(input),
        ONLY_THE_PROMPT,
      ),
    ],
  },
  // Table 6.
  'fewshot-baseline': {
    id: 'paper-rewrite-fewshot-baseline',
    version: 1,
    method: 'fewshot-baseline',
    usesPersona: false,
    usesExamples: true,
    build: (input) => [
      user(
        `${OPENING} A strong prompt spells out the scene, the objects, visual details, mood and style. Below are prompts the user wrote before; they show the user's preferences, artistic style and typical choices:`,
        examples(input),
        "Drawing on these examples, rewrite the basic prompt so that it fits the preferences they show. The rewritten prompt should keep the primary objects of the original while adjusting the description to the user's preferences as their earlier prompts reveal them.",
        basic(input),
        ONLY_THE_PROMPT,
      ),
    ],
  },
  // Tailored Visions (Chen et al., CVPR 2024), as that paper describes its rewriting step.
  retrieval: {
    id: 'paper-rewrite-retrieval',
    version: 1,
    method: 'retrieval',
    usesPersona: false,
    usesExamples: true,
    build: (input) => [
      user(
        `${OPENING} Below are earlier prompts of this user, the ones most similar to the new prompt:`,
        examples(input),
        "Rewrite the basic prompt so that it matches this user's preferences as these prompts show them, keeping the primary objects of the basic prompt.",
        basic(input),
        'Reply with the rewritten prompt only, in fewer than 70 words, with no explanations or commentary.',
      ),
    ],
  },
};
