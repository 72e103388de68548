import { describe, expect, it } from 'vitest';
import { attributeRewrite } from '../../shared/rewrite/attribution.ts';

/** Each phrase a rewrite added, linked to the persona sentences it came from — or marked as the model's own. */
const PERSONA =
  'You photograph foggy harbours on expired film. Harbours at dawn, fog over the water and film grain are what you look for; you live in Porto. On Sundays you cook Portuguese fish stews for friends.';

describe('phrase attribution (hashed TF-IDF, no LLM call)', () => {
  it('links added phrases to the persona sentences behind them and marks the ones nothing supports', () => {
    const base = 'a dog in a park';
    const rewritten = 'a dog in a foggy park at dawn, film grain, golden hour glow, shot on Kodak Portra, a pot of fish stew on a bench';
    const parts = attributeRewrite(base, rewritten, PERSONA);
    // The parts are the whole rewrite, in order.
    expect(parts.filter((p) => p.kind !== 'removed').map((p) => p.text).join('')).toBe(rewritten);
    const added = Object.fromEntries(parts.filter((p) => p.kind === 'added').map((p) => [p.text.trim().replace(/,$/, ''), p]));
    expect(added['foggy']).toMatchObject({ supported: true, sources: ['You photograph foggy harbours on expired film.'] });
    expect(added['at dawn']!.sources![0]).toMatch(/^Harbours at dawn, fog over the water and film grain/);
    expect(added['film grain']!.sources![0]).toMatch(/film grain are what you look for/);
    expect(added['a pot of fish stew on a bench']).toMatchObject({ supported: true, sources: ['On Sundays you cook Portuguese fish stews for friends.'] });
    // Nothing in the persona says "golden hour"; "Portra" only looks like "Porto" letter by letter.
    expect(added['golden hour glow']).toMatchObject({ supported: false, sources: [] });
    expect(added['shot on Kodak Portra']).toMatchObject({ supported: false, sources: [] });
  });

  it('keeps removed words as removed, and says nothing for a rewrite that added nothing', () => {
    const parts = attributeRewrite('a red dog in a park', 'a dog in a park', PERSONA);
    expect(parts.some((p) => p.kind === 'removed' && p.text.includes('red'))).toBe(true);
    expect(parts.every((p) => p.sources === undefined)).toBe(true);
  });
});
