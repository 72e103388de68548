import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countryRegionResolver, normaliseGender, readTargets, wppCountries, wppTargets } from '../../server/datasets/population.ts';

/** The UN's own aggregate rows of the vendored population table, read independently of the loader. */
function unAggregates(): Map<string, number> {
  const file = fileURLToPath(new URL('../../server/datasets/data/wpp2024/population_2024_thousands.tsv', import.meta.url));
  const rows = readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split('\t'));
  return new Map(rows.map(([, name, value]) => [name!, Number(value)]));
}

describe('UN WPP 2024 targets', () => {
  it('give each continental region its share of the world population (matching the UN aggregates)', async () => {
    const t = await wppTargets();
    const un = unAggregates();
    const world = un.get('World')!;
    expect(Object.keys(t.region!).sort()).toEqual(['Africa', 'Asia', 'Europe', 'Latin America and the Caribbean', 'Northern America', 'Oceania']);
    for (const [region, share] of Object.entries(t.region!)) expect(share).toBeCloseTo(un.get(region)! / world, 5);
    expect(Object.values(t.region!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('split gender by the population by sex (World 2024: 4,120,769 thousand male, 4,076,211 female), not the ratio at birth', async () => {
    const t = await wppTargets();
    const file = fileURLToPath(new URL('../../server/datasets/data/wpp2024/population_by_sex_2024_thousands.tsv', import.meta.url));
    const world = readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.split('\t')).find((r) => r[1] === 'World')!;
    const [male, female] = [Number(world[2]), Number(world[3])];
    expect(t.gender!.male).toBeCloseTo(male / (male + female), 4);
    expect(t.gender!.female).toBeCloseTo(female / (male + female), 4);
    // 1.011 males per female, far from the 1.054 of the sex ratio at birth shipped earlier by mistake.
    expect(t.gender!.male! / t.gender!.female!).toBeCloseTo(1.011, 3);
    expect(t.gender!.male! + t.gender!.female!).toBeCloseTo(1, 12);
  });

  it('offer the 22 UN sub-regions, Northern America standing for itself', async () => {
    const t = await wppTargets('subregion');
    expect(Object.keys(t.region!)).toHaveLength(22);
    expect(t.region!['Northern America']).toBeCloseTo((await wppTargets()).region!['Northern America']!, 12);
    expect(Object.values(t.region!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect((await wppCountries()).length).toBeGreaterThan(230);
  });

  it('map countries by WPP name, everyday alias or M49 code', async () => {
    const continent = await countryRegionResolver();
    expect(['United States of America', 'USA', 'united states', '840'].map(continent)).toEqual(Array(4).fill('Northern America'));
    expect([continent('Russia'), continent('Türkiye'), continent("Côte d'Ivoire"), continent('Brazil')]).toEqual(['Europe', 'Asia', 'Africa', 'Latin America and the Caribbean']);
    const sub = await countryRegionResolver('subregion');
    expect([sub('Germany'), sub('India'), sub('Canada')]).toEqual(['Western Europe', 'Southern Asia', 'Northern America']);
    expect(() => continent('Atlantis')).toThrow(/unknown country 'Atlantis'; use a UN WPP 2024 name .* or an M49 code/);
  });

  it('unify gender spellings', () => {
    expect(['F', 'female', 'Woman', 'M', 'male', 'Non-binary'].map(normaliseGender)).toEqual(['female', 'female', 'female', 'male', 'male', 'Non-binary']);
  });
});

describe('targets files', () => {
  it('read {axis: {category: share}} and refuse anything else', async () => {
    const file = fileURLToPath(new URL('../fixtures/datasets/targets.json', import.meta.url));
    expect((await readTargets(file)).age).toMatchObject({ '25-34': 0.22 });
    const metrics = fileURLToPath(new URL('../fixtures/metrics/votes.csv', import.meta.url));
    await expect(readTargets(metrics)).rejects.toThrow(/is not valid JSON/);
    await expect(readTargets('/nonexistent/targets.json')).rejects.toThrow(/cannot read targets file .*: no such file/);
  });
});
