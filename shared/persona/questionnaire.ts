/**
 * The 10-question intake questionnaire of the paper's user study (Appendix G): demographics, interests,
 * personality and a typical weekend — deliberately nothing about visual or aesthetic taste, so a persona
 * built from it tests whether identity and interests alone can drive personalization. Question wording is
 * this project's own. The extension renders the form from QUESTIONNAIRE; the answers are validated by
 * QuestionnaireAnswers before they reach the LLM.
 */
import { z } from 'zod';
import { InputError } from '../errors.ts';

export const AGE_RANGES = ['18-24', '25-34', '35-44', '45-54', '55+'] as const;
export const GENDERS = ['male', 'female', 'non-binary', 'prefer-not-to-say'] as const;
export const EDUCATION_LEVELS = ['bachelors', 'masters', 'phd', 'other'] as const;
export const SOCIAL_ENERGY = ['introverted', 'slightly-introverted', 'neither', 'slightly-extroverted', 'extroverted'] as const;

/** A free-text answer: trimmed, non-empty, bounded so one answer cannot flood the prompt. */
const freeText = (what: string, max: number) =>
  z.string().trim().min(1, `${what} is empty`).max(max, `${what} is over ${max} characters: shorten it`);

/** A comma-separated list or an array of short items, normalised to an array. */
const itemList = (what: string, min: number, max: number) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s.length > 0))
    .pipe(
      z
        .array(z.string().max(60, `each of ${what} must be under 60 characters`))
        .min(min, `give at least ${min} ${what}`)
        .max(max, `give at most ${max} ${what}`),
    );

export const QuestionnaireAnswers = z.object({
  ageRange: z.enum(AGE_RANGES, { error: `ageRange must be one of ${AGE_RANGES.join(', ')}` }),
  gender: z.enum(GENDERS, { error: `gender must be one of ${GENDERS.join(', ')}` }),
  region: freeText('region', 120),
  profession: freeText('profession', 160),
  education: z.enum(EDUCATION_LEVELS, { error: `education must be one of ${EDUCATION_LEVELS.join(', ')}` }),
  hobbies: itemList('hobbies', 1, 12),
  topics: freeText('topics', 400),
  socialEnergy: z.enum(SOCIAL_ENERGY, { error: `socialEnergy must be one of ${SOCIAL_ENERGY.join(', ')}` }),
  personalityWords: itemList('personality words', 3, 5),
  typicalWeekend: freeText('typicalWeekend', 500),
});
export type QuestionnaireAnswers = z.infer<typeof QuestionnaireAnswers>;
export type QuestionnaireInput = z.input<typeof QuestionnaireAnswers>;

export type QuestionKind = 'choice' | 'text' | 'list';

export interface Question {
  /** Key in QuestionnaireAnswers. */
  id: keyof QuestionnaireAnswers;
  section: 'demographics' | 'interests' | 'personality';
  kind: QuestionKind;
  prompt: string;
  /** For choice questions: stored value and the label shown. */
  options?: readonly { value: string; label: string }[];
  placeholder?: string;
}

const options = (values: readonly string[], labels: readonly string[]) => values.map((value, i) => ({ value, label: labels[i]! }));

/** The form, in order. */
export const QUESTIONNAIRE: readonly Question[] = [
  { id: 'ageRange', section: 'demographics', kind: 'choice', prompt: 'Which age range are you in?', options: options(AGE_RANGES, ['18–24', '25–34', '35–44', '45–54', '55 or older']) },
  { id: 'gender', section: 'demographics', kind: 'choice', prompt: 'How do you describe your gender?', options: options(GENDERS, ['Male', 'Female', 'Non-binary', 'Prefer not to say']) },
  { id: 'region', section: 'demographics', kind: 'text', prompt: 'Which country or region do you live in?', placeholder: 'e.g. northern Portugal' },
  { id: 'profession', section: 'demographics', kind: 'text', prompt: 'What do you do for a living, or what do you study?', placeholder: 'e.g. hospital pharmacist' },
  { id: 'education', section: 'demographics', kind: 'choice', prompt: 'What is the highest degree you have completed?', options: options(EDUCATION_LEVELS, ["Bachelor's", "Master's", 'PhD', 'Other']) },
  { id: 'hobbies', section: 'interests', kind: 'list', prompt: 'What do you most like doing in your free time? (comma-separated)', placeholder: 'e.g. bouldering, baking, chess' },
  { id: 'topics', section: 'interests', kind: 'text', prompt: 'What subjects do you read about or talk about most?', placeholder: 'e.g. urban planning, football, space missions' },
  { id: 'socialEnergy', section: 'personality', kind: 'choice', prompt: 'Where do you sit between introvert and extrovert?', options: options(SOCIAL_ENERGY, ['Introverted', 'Slightly introverted', 'In between', 'Slightly extroverted', 'Extroverted']) },
  { id: 'personalityWords', section: 'personality', kind: 'list', prompt: 'Which 3 to 5 words describe your personality best? (comma-separated)', placeholder: 'e.g. curious, patient, stubborn' },
  { id: 'typicalWeekend', section: 'personality', kind: 'text', prompt: 'In a sentence or two, what does a usual weekend look like for you?' },
];

/**
 * The answers as labelled lines for the LLM prompt ("Age range: 25–34"). "Prefer not to say" is left out
 * rather than passed on, so the model cannot read anything into it.
 */
export function formatAnswers(a: QuestionnaireAnswers): string {
  const label = (id: keyof QuestionnaireAnswers, value: string) =>
    QUESTIONNAIRE.find((q) => q.id === id)?.options?.find((o) => o.value === value)?.label ?? value;
  const lines = [
    `Age range: ${label('ageRange', a.ageRange)}`,
    a.gender === 'prefer-not-to-say' ? undefined : `Gender: ${label('gender', a.gender)}`,
    `Lives in: ${a.region}`,
    `Work or study: ${a.profession}`,
    `Highest degree: ${label('education', a.education)}`,
    `Hobbies: ${a.hobbies.join(', ')}`,
    `Reads and talks about: ${a.topics}`,
    `Introvert or extrovert: ${label('socialEnergy', a.socialEnergy)}`,
    `Describes their personality as: ${a.personalityWords.join(', ')}`,
    `A usual weekend: ${a.typicalWeekend}`,
  ];
  return lines.filter((l): l is string => l !== undefined).join('\n');
}

/** Validates answers with a one-line message naming the question and the fix. */
export function parseQuestionnaireAnswers(raw: unknown): QuestionnaireAnswers {
  const r = QuestionnaireAnswers.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path[0];
  throw new QuestionnaireError(`${field === undefined ? '' : `questionnaire ${String(field)}: `}${issue.message}`, field === undefined ? {} : { field: String(field) });
}

/** Answers that do not fit the questionnaire; `field` is the question's id. */
export class QuestionnaireError extends InputError {}
