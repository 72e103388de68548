import { describe, expect, it } from 'vitest';
import { buildVerbalizationContext, UNASSIGNED, type CandidateText } from '../../shared/persona/context.ts';
import { countTokens } from '../../shared/text/tokens.ts';

const analog: CandidateText[] = [
  { id: 'a1', score: 120, text: 'Shot a roll of Portra 400 at the coast today, the grain looks gorgeous in the shadows' },
  { id: 'a2', score: 90, text: '[deleted]' },
  { id: 'a3', score: 80, text: 'Nice, which lab?' },
  { id: 'a4', score: 70, text: 'Shot a roll of Portra 400 at the coast today, the grain looks gorgeous in the shadow!' },
  { id: 'a5', score: 60, text: 'My darkroom setup is a bathroom, a red bulb and [two trays](https://imgur.com/xyz) of chemistry' },
  { id: 'a6', score: 10, text: 'Developing HP5 pushed two stops in Rodinal gives very punchy contrast, ask /u/filmguy' },
];
const woodworking: CandidateText[] = [
  { id: 'w1', score: 40, text: 'Finished a walnut coffee table with hand-cut dovetail joints this weekend' },
  { id: 'w2', score: 5, text: 'Sharpening chisels on water stones is oddly relaxing after a long shift' },
];

// o200k_base token counts of the cleaned texts: a1 20, a5 16, a6 17, w1 13, w2 15, u1 11.

describe('buildVerbalizationContext', () => {
  it('drops removed, short and near-duplicate texts and strips links and mentions', () => {
    const ctx = buildVerbalizationContext({
      importance: new Map([['analog', 3], ['woodworking', 1]]),
      texts: new Map([['analog', analog], ['woodworking', woodworking]]),
      budget: 4096,
    });
    expect(ctx.dropped).toMatchObject({ removed: 1, short: 1, duplicate: 1, overBudget: 0 });
    expect(ctx.items.map((i) => i.id)).toEqual(['a1', 'a5', 'a6', 'w1', 'w2']);
    const a5 = ctx.items.find((i) => i.id === 'a5')!;
    expect(a5.text).toBe('My darkroom setup is a bathroom, a red bulb and two trays of chemistry');
    expect(ctx.text).not.toMatch(/imgur|filmguy|u\//);
    expect(ctx.text.startsWith('### r/analog\n- Shot a roll')).toBe(true);
    expect(ctx.text).toContain('### r/woodworking\n- Finished a walnut');
    expect(ctx.tokens).toBe(countTokens(ctx.text));
    for (const item of ctx.items) expect(item.tokens).toBe(countTokens(item.text));
    expect(ctx.communities.map((c) => [c.name, c.weight, c.budget, c.items, c.candidates])).toEqual([
      ['analog', 0.75, 3072, 3, 3],
      ['woodworking', 0.25, 1024, 2, 2],
    ]);
  });

  it('keeps each community within its floor share when spillover is off', () => {
    // analog gets floor(40 · 0.75) = 30 tokens, woodworking 10.
    const ctx = buildVerbalizationContext({
      importance: new Map([['analog', 3], ['woodworking', 1]]),
      texts: new Map([['analog', analog], ['woodworking', woodworking]]),
      budget: 40,
      spillover: false,
    });
    expect(ctx.communities.map((c) => c.budget)).toEqual([30, 10]);
    for (const c of ctx.communities) expect(c.used).toBeLessThanOrEqual(c.budget);
    // a1 (20 tokens) fits analog's 30; a5 (16) then no longer does; w1 (13) and w2 (15) exceed 10.
    expect(ctx.items.map((i) => i.id)).toEqual(['a1']);
  });

  it('gives unused budget to the next communities, best first, then to unassigned texts', () => {
    const importance = new Map([['mechanicalkeyboards', 6], ['analog', 3], ['woodworking', 1]]);
    const unassigned: CandidateText[] = [{ id: 'u1', text: 'Does anyone know a good vegetarian ramen place near the station' }];
    const texts = new Map([['analog', analog], ['woodworking', woodworking]]);
    const off = buildVerbalizationContext({ importance, texts, unassigned, budget: 100, spillover: false });
    const on = buildVerbalizationContext({ importance, texts, unassigned, budget: 100 });
    // Shares: 60, 30, 10. Without spillover the keyboard share (no texts) is lost and u1 gets nothing.
    expect(off.communities.map((c) => [c.name, c.budget, c.used])).toEqual([
      ['mechanicalkeyboards', 60, 0],
      ['analog', 30, 20],
      ['woodworking', 10, 0],
    ]);
    // Spillover: 80 tokens left after a1 → a5 + a6 (33), then w1 + w2 (28), then u1 (11): 92 in all.
    expect(on.items.map((i) => i.id)).toEqual(['a1', 'a5', 'a6', 'w1', 'w2', 'u1']);
    expect(on.items.find((i) => i.id === 'u1')!.community).toBe(UNASSIGNED);
    expect(on.text).toContain('### Other posts and comments\n- Does anyone know');
    const used = on.communities.reduce((s, c) => s + c.used, 0) + on.items.filter((i) => i.community === UNASSIGNED).reduce((s, i) => s + i.tokens, 0);
    expect(used).toBe(92);
  });

  it('counts a text posted in two communities once, under the more important one', () => {
    const shared = { id: 'x', score: 1, text: 'Anyone want to swap a spare Pentax lens for a block plane' };
    const ctx = buildVerbalizationContext({
      importance: new Map([['analog', 1], ['woodworking', 2]]),
      texts: new Map([['analog', [shared]], ['woodworking', [{ ...shared, id: 'y' }]]]),
    });
    expect(ctx.items.map((i) => [i.community, i.id])).toEqual([['woodworking', 'y']]);
    expect(ctx.dropped.duplicate).toBe(1);
  });

  it('cuts a text longer than its community share at a sentence end', () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} is about film cameras.`).join(' ');
    const ctx = buildVerbalizationContext({
      importance: new Map([['analog', 1]]),
      texts: new Map([['analog', [{ text: long }]]]),
      budget: 64,
    });
    expect(ctx.items).toHaveLength(1);
    expect(ctx.items[0]!.tokens).toBeLessThanOrEqual(64);
    expect(ctx.items[0]!.text).toMatch(/^Sentence number 1 is about film cameras\..*cameras\.$/);
  });

  it('ranks unscored texts after scored ones and ignores texts of communities without importance', () => {
    const ctx = buildVerbalizationContext({
      importance: new Map([['analog', 1]]),
      texts: new Map([
        ['analog', [{ id: 'n', text: 'An unscored comment about expired slide film stocks' }, { id: 's', score: 2, text: 'A scored comment about medium format rangefinders' }]],
        ['cooking', [{ id: 'c', score: 100, text: 'Braised short ribs with red wine for six hours' }]],
      ]),
      lambda: 1,
      budget: 12,
    });
    expect(ctx.items.map((i) => i.id)).toEqual(['s']);
  });

  it('returns an empty context when nothing usable is left', () => {
    const ctx = buildVerbalizationContext({ importance: new Map([['analog', 1]]), texts: new Map([['analog', [{ text: '[removed]' }]]]) });
    expect(ctx).toMatchObject({ text: '', tokens: 0, items: [], dropped: { removed: 1 } });
  });
});
