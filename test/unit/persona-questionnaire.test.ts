import { describe, expect, it } from 'vitest';
import { formatAnswers, parseQuestionnaireAnswers, QUESTIONNAIRE, QuestionnaireError } from '../../shared/persona/questionnaire.ts';

const answers = {
  ageRange: '25-34',
  gender: 'female',
  region: 'Porto, Portugal',
  profession: 'hospital pharmacist',
  education: 'masters',
  hobbies: 'bouldering, sourdough baking , chess',
  topics: 'urban planning and space missions',
  socialEnergy: 'slightly-introverted',
  personalityWords: ['curious', 'patient', 'stubborn'],
  typicalWeekend: 'Climbing on Saturday morning, then a long lunch with friends and a documentary.',
};

describe('intake questionnaire', () => {
  it('has the ten questions of the study in three sections and nothing about aesthetics', () => {
    expect(QUESTIONNAIRE).toHaveLength(10);
    expect(new Set(QUESTIONNAIRE.map((q) => q.section))).toEqual(new Set(['demographics', 'interests', 'personality']));
    for (const q of QUESTIONNAIRE) expect(q.prompt).not.toMatch(/aesthetic|visual|colou?r|style|image|art\b/i);
  });

  it('normalises comma-separated lists and trims', () => {
    const a = parseQuestionnaireAnswers(answers);
    expect(a.hobbies).toEqual(['bouldering', 'sourdough baking', 'chess']);
    expect(a.personalityWords).toEqual(['curious', 'patient', 'stubborn']);
  });

  it('formats labelled lines for the prompt and leaves out "prefer not to say"', () => {
    const text = formatAnswers(parseQuestionnaireAnswers({ ...answers, gender: 'prefer-not-to-say' }));
    expect(text).toContain('Age range: 25–34');
    expect(text).toContain('Introvert or extrovert: Slightly introverted');
    expect(text).toContain('Highest degree: Master\'s');
    expect(text).not.toMatch(/Gender/);
    expect(text.split('\n')).toHaveLength(9);
  });

  it('rejects bad answers with one line naming the question', () => {
    expect(() => parseQuestionnaireAnswers({ ...answers, ageRange: '30' })).toThrow(QuestionnaireError);
    expect(() => parseQuestionnaireAnswers({ ...answers, ageRange: '30' })).toThrow(/^questionnaire ageRange: ageRange must be one of 18-24/);
    expect(() => parseQuestionnaireAnswers({ ...answers, personalityWords: 'kind, calm' })).toThrow(/personalityWords: give at least 3 personality words/);
    expect(() => parseQuestionnaireAnswers({ ...answers, typicalWeekend: ' ' })).toThrow(/typicalWeekend is empty/);
    const { region: _, ...missing } = answers;
    expect(() => parseQuestionnaireAnswers(missing)).toThrow(/questionnaire region:/);
  });
});
