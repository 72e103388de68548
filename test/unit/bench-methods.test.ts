import { describe, expect, it } from 'vitest';
import { rewriteRequestOf } from '../../server/bench/method-prompt.ts';
import { methodLabel, parseMethodSpec, personaPairs } from '../../server/bench/methods.ts';
import { demographicPersona, personaSourceOf } from '../../server/bench/persona.ts';
import { StaticFeatures, withFeatures } from '../../server/bench/static-features.ts';

describe('bench methods', () => {
  it('spell out k for the methods that take one', () => {
    expect(parseMethodSpec('fewshot')).toEqual({ id: 'fewshot:3', method: 'fewshot', k: 3 });
    expect(parseMethodSpec(' retrieval:5 ')).toEqual({ id: 'retrieval:5', method: 'retrieval', k: 5 });
    expect(parseMethodSpec('static')).toEqual({ id: 'static', method: 'static' });
    expect(methodLabel(parseMethodSpec('fewshot:5'))).toBe('ZIPP (5-shot)');
    expect(methodLabel(parseMethodSpec('retrieval'))).toBe('TV (3)');
  });

  it.each([
    ['viper', /unknown method 'viper'/],
    ['persona:3', /method 'persona' takes no k: write 'persona'/],
    ['fewshot:0', /k must be a whole number from 1 to 5/],
    ['fewshot:2:1', /unknown method/],
  ])('refuse %s', (raw, message) => {
    expect(() => parseMethodSpec(raw)).toThrow(message);
  });

  it('pair each persona method with the same method without persona (Fig. 3)', () => {
    const specs = ['baseline', 'persona', 'fewshot:3', 'fewshot:5', 'fewshot-baseline:3', 'retrieval:3'].map(parseMethodSpec);
    expect(personaPairs(specs).map((p) => [p.setting, p.without.id, p.with.id])).toEqual([
      ['0-shot', 'baseline', 'persona'],
      ['3-shot', 'fewshot-baseline:3', 'fewshot:3'],
    ]);
  });

  it('send the persona only to persona methods, and history only to methods with k', () => {
    const inputs = { prompt: 'a dog in a park', persona: 'You love lighthouses.', history: ['a foggy harbour', 'a red boat'], temperature: 0.7 };
    expect(rewriteRequestOf(parseMethodSpec('baseline'), inputs)).toEqual({ prompt: 'a dog in a park', method: 'baseline', temperature: 0.7 });
    expect(rewriteRequestOf(parseMethodSpec('fewshot:5'), inputs)).toEqual({ ...inputs, method: 'fewshot', k: 5 });
    expect(rewriteRequestOf(parseMethodSpec('retrieval:3'), inputs)).toEqual({ prompt: 'a dog in a park', method: 'retrieval', history: inputs.history, k: 3, temperature: 0.7 });
    expect(rewriteRequestOf(parseMethodSpec('static'), inputs)).toBeUndefined();
    expect(() => rewriteRequestOf(parseMethodSpec('persona'), { prompt: 'x', history: [] })).toThrow(/needs a persona/);
    expect(() => rewriteRequestOf(parseMethodSpec('fewshot-baseline'), { prompt: 'x', history: [] })).toThrow(/needs history prompts/);
  });
});

describe('static (ViPer-like) feature lists', () => {
  const user = (id: string, history: string[]) => ({ id, history, queries: ['q'] });
  const users = [
    user('a', ['A cinematic scene of lighthouses at night', 'A cinematic scene of a lighthouse in fog', 'A cinematic scene of a harbour']),
    user('b', ['A cinematic scene of a desert caravan', 'A cinematic scene of dunes']),
    user('c', ['A cinematic scene of a jazz club', 'A cinematic scene of a saxophone']),
    user('d', ['A cinematic scene of a rainy street', 'A cinematic scene of a harbour at dawn']),
  ];
  const features = new StaticFeatures(users);

  it("rank a user's own words by TF-IDF and drop the dataset's template words", () => {
    // lighthouse (tf 2/10, in 1 of 4 histories) beats harbour (1/10, in 2 of 4); cinematic/scene are in every history.
    expect(features.featuresOf(users[0]!)).toEqual(['lighthouse', 'fog', 'night', 'harbour']);
    expect(features.featuresOf(users[0]!, 2)).toEqual(['lighthouse', 'fog']);
  });

  it('fall back to the persona for a user without history, by frequency', () => {
    expect(features.featuresOf({ history: [], persona: 'You love foggy harbours and old harbours at dawn.' })).toEqual(['harbour', 'dawn', 'foggy', 'love', 'old']);
    expect(features.featuresOf({ history: [] })).toEqual([]);
  });

  it('keep shared words when the dataset is too small to call them template words', () => {
    expect(new StaticFeatures([users[0]!]).featuresOf(users[0]!, 3)).toEqual(['cinematic', 'scene', 'lighthouse']);
  });

  it('append the same list to every prompt', () => {
    expect(withFeatures('a dog in a park', ['lighthouse', 'fog'])).toBe('a dog in a park, lighthouse, fog');
    expect(withFeatures('a dog in a park', [])).toBe('a dog in a park');
  });
});

describe('bench personas', () => {
  it('come from the dataset, else demographics, else history', () => {
    expect(personaSourceOf({ id: '1', history: ['x'], queries: [], persona: 'You …' })).toBe('dataset');
    expect(personaSourceOf({ id: '1', history: ['x'], queries: [], demographics: { age: '25-34' } })).toBe('demographics');
    expect(personaSourceOf({ id: '1', history: ['x'], queries: [] })).toBe('history');
    expect(personaSourceOf({ id: '1', history: [], queries: [] })).toBeUndefined();
  });

  it('state demographic attributes in the second person', () => {
    expect(demographicPersona({ age: '25-34', gender: 'female', country: 'Brazil', language: 'pt', profession: 'Student' })).toBe(
      'You are in the 25-34 age range, describe your gender as female, live in Brazil, speak pt and work as Student.',
    );
    expect(demographicPersona({ country: 'Japan' })).toBe('You live in Japan.');
    expect(demographicPersona({})).toBe('');
  });
});
