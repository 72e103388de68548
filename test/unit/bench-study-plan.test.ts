import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StudyConfig, armLabel } from '../../server/study/config.ts';
import { planTrials, seededRandom } from '../../server/study/plan.ts';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/bench/study.json', import.meta.url), 'utf8')) as Record<string, any>;
const study = (patch: Record<string, unknown> = {}) => StudyConfig.parse({ ...fixture, ...patch });

describe('study config', () => {
  it('parses the fixture with defaults and readable arm labels', () => {
    const c = study();
    expect(c.model).toBe('sdxl');
    expect(c.conditions.map((x) => `${armLabel(x.a)} vs ${armLabel(x.b)}`)).toEqual([
      'ZIPP (0-shot) vs LLM (0-shot, no persona)',
      'ZIPP (0-shot) vs ZIPP (0-shot), other persona',
      'ZIPP (3-shot) vs TV (3)',
      'ZIPP (3-shot) vs Static features (ViPer-like)',
    ]);
  });

  it.each([
    [{ conditions: [{ id: 'same', a: { method: 'persona' }, b: { method: 'persona' }, trials: 2 }] }, 'conditions.0', /the two arms are the same/],
    [{ otherPersonas: [] }, 'otherPersonas', /needs otherPersonas/],
    [{ conditions: [{ id: 'x', a: { method: 'persona', engine: 'gpu9' }, b: { method: 'baseline' }, trials: 1 }] }, 'conditions.0.a.engine', /no engine gpu9/],
    [{ conditions: [{ id: 'Bad Id', a: { method: 'persona' }, b: { method: 'baseline' }, trials: 1 }] }, 'conditions.0.id', /lower-case letters/],
    [{ prompts: [] }, 'prompts', /at least one prompt/],
  ])('refuses bad configs, naming the field (%#)', (patch, path, message) => {
    const r = StudyConfig.safeParse({ ...fixture, ...patch });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path.join('.')).toBe(path);
    expect(r.error!.issues[0]!.message).toMatch(message);
  });
});

describe('study trial plan', () => {
  it('gives each condition its trials, counterbalancing the sides', () => {
    const c = study({ conditions: [{ id: 'even', a: { method: 'persona' }, b: { method: 'baseline' }, trials: 6 }, { id: 'odd', a: { method: 'fewshot:3' }, b: { method: 'retrieval:3' }, trials: 5 }] });
    for (const id of ['p_a', 'p_b', 'p_c', 'p_d']) {
      const plan = planTrials(c, id);
      expect(plan).toHaveLength(11);
      const even = plan.filter((t) => t.condition === 'even');
      expect(even.filter((t) => t.left === 'a')).toHaveLength(3);
      const odd = plan.filter((t) => t.condition === 'odd').filter((t) => t.left === 'a').length;
      expect([2, 3]).toContain(odd);
      // Three prompts for six trials: each prompt twice, the second time with the next seed.
      const seen = even.map((t) => `${t.prompt}#${t.seed}`);
      expect(new Set(seen).size).toBe(6);
      expect(new Set(even.map((t) => t.prompt)).size).toBe(3);
    }
  });

  it('is reproducible from the participant id and differs between participants', () => {
    const c = study();
    expect(planTrials(c, 'p_1')).toEqual(planTrials(c, 'p_1'));
    const orders = new Set(['p_1', 'p_2', 'p_3', 'p_4', 'p_5'].map((id) => JSON.stringify(planTrials(c, id))));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('draws uniformly enough from its seeded generator', () => {
    const random = seededRandom('zipp');
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(random() * 10)]++;
    for (const b of buckets) expect(Math.abs(b - 1000)).toBeLessThan(120);
  });
});
