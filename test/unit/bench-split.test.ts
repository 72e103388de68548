import { describe, expect, it } from 'vitest';
import { splitHistory, withoutHeldOut } from '../../server/bench/split.ts';

const user = (id: string, history: string[], queries = ['a dog in a park']) => ({ id, history, queries });

describe('splitHistory (CMMD reference vs the context methods see)', () => {
  const history = ['a red barn', 'A red  barn', 'a neon alley', 'a quiet lake', 'a dog in a park', 'a desert road', 'a snowy cabin'];

  it('draws reference prompts that appear nowhere in the context, the queries included', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { context, reference } = splitHistory(user('u1', history), 2, seed);
      expect(reference).toHaveLength(2);
      const norm = (p: string) => p.replace(/\s+/g, ' ').trim().toLowerCase();
      const ctx = new Set(context.map(norm));
      for (const r of reference) expect(ctx.has(norm(r))).toBe(false);
      // The query is never a reference prompt, and every non-reference history prompt stays in the context.
      expect(reference.map(norm)).not.toContain('a dog in a park');
      expect(context.length + history.filter((h) => reference.map(norm).includes(norm(h))).length).toBe(history.length);
    }
  });

  it('is seeded per user: the same seed gives the same split, others differ', () => {
    const a = splitHistory(user('u1', history), 2, 3);
    expect(splitHistory(user('u1', history), 2, 3)).toEqual(a);
    const draws = new Set(Array.from({ length: 12 }, (_, s) => JSON.stringify(splitHistory(user('u1', history), 2, s).reference)));
    expect(draws.size).toBeGreaterThan(1);
    const others = new Set(Array.from({ length: 12 }, (_, i) => JSON.stringify(splitHistory(user(`u${i}`, history), 2, 3).reference)));
    expect(others.size).toBeGreaterThan(1);
  });

  it('always leaves the context a prompt, and gives no reference to a user with one distinct prompt', () => {
    expect(splitHistory(user('u', ['a', 'b']), 5, 0).reference).toHaveLength(1);
    expect(splitHistory(user('u', ['a', 'A']), 2, 0)).toEqual({ context: ['a', 'A'], reference: [] });
    expect(splitHistory(user('u', []), 2, 0)).toEqual({ context: [], reference: [] });
  });
});

describe('withoutHeldOut (a mined persona\'s evidence never holds a held-out prompt)', () => {
  it('drops texts that are or quote a held-out prompt, spacing and case aside, and matches short prompts whole only', () => {
    const texts = [
      { text: 'A  Rusty Tugboat in the fog at dawn' },
      { text: 'I typed "a rusty tugboat in the fog at dawn" and loved it' },
      { text: 'my cat sleeps all day' },
      { text: 'a cat' },
      { text: 'nothing to do with any prompt' },
    ];
    const r = withoutHeldOut(texts, ['a rusty tugboat in the fog at dawn', 'a cat']);
    expect(r.texts.map((t) => t.text)).toEqual(['my cat sleeps all day', 'nothing to do with any prompt']);
    expect(r.withheld).toBe(3);
    expect(withoutHeldOut(texts, [])).toEqual({ texts, withheld: 0 });
  });
});
