import { describe, expect, it } from 'vitest';
import { findSensitive, guardSensitive, sentenceSpans, type SensitiveCategory } from '../../shared/persona/sensitive.ts';

const POSITIVE: [string, SensitiveCategory][] = [
  // religion
  ['You are a devout Catholic who volunteers on weekends.', 'religion'],
  ["You're Jewish and love baking challah.", 'religion'],
  ['As a practicing Muslim, you avoid late-night events.', 'religion'],
  ['You were raised Catholic in Boston.', 'religion'],
  ['Your faith guides how you spend Sundays.', 'religion'],
  ['You attend church every Sunday.', 'religion'],
  ['You converted to Buddhism in your twenties.', 'religion'],
  ['You are an atheist.', 'religion'],
  // politics
  ['You vote Democrat.', 'politics'],
  ['You always voted for the Conservative Party.', 'politics'],
  ['You are a lifelong Republican and a hunter.', 'politics'],
  ['You are a Trump supporter.', 'politics'],
  ['You are politically progressive.', 'politics'],
  ["You're left-leaning and outspoken.", 'politics'],
  ['Your liberal views show in your reading.', 'politics'],
  ['You support the Labour party.', 'politics'],
  ['You canvassed for the Greens last spring.', 'politics'],
  ['You are a conservative.', 'politics'],
  // health
  ['You have ADHD.', 'health'],
  ['You struggle with anxiety before big shoots.', 'health'],
  ['You were diagnosed with type 1 diabetes as a child.', 'health'],
  ['You are autistic and love trains.', 'health'],
  ['You live with chronic pain.', 'health'],
  ['Your therapist suggested journaling.', 'health'],
  ['You are a recovering alcoholic.', 'health'],
  ['You take antidepressants.', 'health'],
  // sexual orientation
  ['You are gay.', 'sexual-orientation'],
  ['You are openly bisexual and run a podcast.', 'sexual-orientation'],
  ['You identify as queer.', 'sexual-orientation'],
  ['You came out to your parents at twenty.', 'sexual-orientation'],
  ['You are part of the LGBTQ+ community.', 'sexual-orientation'],
  ['You are straight.', 'sexual-orientation'],
  // race / ethnicity
  ['You are a Black woman from Atlanta.', 'race-ethnicity'],
  ['As a Hispanic photographer, you shoot your neighbourhood.', 'race-ethnicity'],
  ["You're white and in your forties.", 'race-ethnicity'],
  ['Your ethnicity shapes your cooking.', 'race-ethnicity'],
  ['You are biracial.', 'race-ethnicity'],
];

const NEGATIVE = [
  'You enjoy Gothic architecture and old cathedrals.',
  'You shoot black-and-white film on a Leica.',
  'You like Christmas markets and mulled wine.',
  'You are a black belt in judo.',
  'You are a white-water kayaker.',
  'You love Black Sabbath and white wine.',
  'You are an Asian cuisine enthusiast.',
  'You are a liberal arts graduate who reads a lot.',
  'You are a progressive rock fan.',
  'You are conservative with your budget.',
  'You are a big believer in slow mornings.',
  'You are an early Christian art enthusiast.',
  'You enjoy reading about political history and the Cold War.',
  'You follow elections closely as a data journalist.',
  'You work as a nurse and deal with cancer patients every day.',
  'You volunteer for cancer research fundraisers.',
  'You have a soft spot for film cameras.',
  'You manage a small team of designers.',
  'You came out on top in a local photo contest.',
  'You are straightforward and go straight to the point.',
  'You track your race times obsessively.',
  'You have faith in people and in good coffee.',
  'You converted to mirrorless cameras last year.',
  'You prefer portrait orientation for street shots.',
  'You are blind to fashion trends.',
  'You are a woman in your 30s living in Los Angeles.',
  'You are non-binary and a Brazilian street photographer.',
  'You attend mass gatherings like festivals.',
  'You are a family man who loves hiking.',
  'You pray for sunny weekends.',
  'You volunteer for the Red Cross on weekends.',
  'You are deaf to criticism of your photos.',
];

describe('findSensitive', () => {
  it.each(POSITIVE)('flags %s', (text, category) => {
    const found = findSensitive(text);
    expect(found.map((f) => f.category)).toContain(category);
    for (const f of found) expect(text.slice(f.start, f.end)).toBe(f.match);
  });

  it.each(NEGATIVE.map((t) => [t]))('leaves alone %s', (text) => {
    expect(findSensitive(text)).toEqual([]);
  });

  it('returns spans in order of appearance for inline highlighting', () => {
    const text = 'You hike a lot. You have ADHD and you vote Democrat.';
    const found = findSensitive(text);
    expect(found.map((f) => [f.category, f.match])).toEqual([
      ['health', 'You have ADHD'],
      ['politics', 'you vote Democrat'],
    ]);
    expect(found[0]!.start).toBe(text.indexOf('You have'));
  });
});

describe('guardSensitive', () => {
  const persona =
    'You are a film photographer in your 30s living in Lisbon. You are a devout Catholic. ' +
    'You shoot black-and-white street scenes at dawn. You have ADHD, which shows in your many projects. ' +
    'You like Christmas markets.';

  it('removes whole sentences that carry a finding and says what was removed', () => {
    const r = guardSensitive(persona);
    expect(r.text).toBe(
      'You are a film photographer in your 30s living in Lisbon. You shoot black-and-white street scenes at dawn. You like Christmas markets.',
    );
    expect(r.removed).toEqual([
      { sentence: 'You are a devout Catholic.', categories: ['religion'] },
      { sentence: 'You have ADHD, which shows in your many projects.', categories: ['health'] },
    ]);
    expect(r.findings).toHaveLength(2);
  });

  it('with keep, removes nothing but still reports the findings', () => {
    const r = guardSensitive(persona, { keep: true });
    expect(r.text).toBe(persona);
    expect(r.removed).toEqual([]);
    expect(r.findings.map((f) => f.category)).toEqual(['religion', 'health']);
  });

  it('returns clean text untouched', () => {
    const text = 'You shoot film. You hike.';
    expect(guardSensitive(text)).toEqual({ text, removed: [], findings: [] });
  });

  it('splits sentences at terminal punctuation and line breaks, not inside numbers', () => {
    const text = 'You use f/2.8 lenses. You love fog!\nYou hike';
    expect(sentenceSpans(text).map((s) => text.slice(s.start, s.end).trim())).toEqual([
      'You use f/2.8 lenses.',
      'You love fog!',
      'You hike',
    ]);
  });
});
