import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';

const fixtures = fileURLToPath(new URL('../fixtures/metrics/', import.meta.url));
const f = (name: string) => join(fixtures, name);
/** Reference values computed independently by NumPy in float64 (test/fixtures/metrics/make-fixtures.py). */
const expected = JSON.parse(readFileSync(f('expected.json'), 'utf8')) as { cmmd_x_y: number; cmmd_unbiased_x_y: number; clipscore_x_texts: number; clipscore_hessel_x_texts: number };
const tmp = mkdtempSync(join(tmpdir(), 'zipp-metrics-'));

async function zipp(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += `${t}\n`), stderr: (t) => void (stderr += `${t}\n`), env: {} });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

const relClose = (actual: unknown, want: number, rel = 1e-6) =>
  expect(Math.abs((actual as number) - want)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want)));

describe('zipp metrics clipscore', () => {
  it('matches NumPy on .npy files', async () => {
    const r = await zipp('metrics', 'clipscore', '--images', f('x.npy'), '--texts', f('texts.npy'), '--json');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ pairs: 6, dim: 8 });
    relClose(r.json().clipscore, expected.clipscore_x_texts);
  });

  it('gives Hessel et al.\'s scale (100 · 2.5 · max(cos, 0)) with --scale hessel, matching NumPy', async () => {
    const r = await zipp('metrics', 'clipscore', '--images', f('x.npy'), '--texts', f('texts.npy'), '--scale', 'hessel', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ scale: 'hessel', pairs: 6 });
    relClose(r.json().clipscore, expected.clipscore_hessel_x_texts);
    const raw = await zipp('metrics', 'clipscore', '--images', f('x.npy'), '--texts', f('texts.npy'), '--scale', 'raw', '--json');
    expect(raw.json()).toMatchObject({ scale: 'raw' });
    relClose(raw.json().clipscore, expected.clipscore_x_texts);
    const bad = await zipp('metrics', 'clipscore', '--images', f('x.npy'), '--texts', f('texts.npy'), '--scale', 'x2.5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^zipp: --scale: expected raw or hessel/);
  });

  it('prints a readable line without --json', async () => {
    const r = await zipp('metrics', 'clipscore', '--images', f('x.npy'), '--texts', f('texts.npy'));
    expect(r.stdout).toMatch(new RegExp(`^CLIPScore ${expected.clipscore_x_texts.toFixed(2)} .*6 pairs, dim 8`));
  });

  it('refuses unpaired sets with exit 2 and one line', async () => {
    const r = await zipp('metrics', 'clipscore', '--images', f('x.npy'), '--texts', f('y.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('zipp: got 6 image embeddings but 5 text embeddings; CLIPScore pairs row i with row i\n');
  });
});

describe('zipp metrics cmmd', () => {
  it.each(['typescript', 'onnxruntime'])('matches NumPy with the %s backend, reading .npy, Fortran-order float64 .npy and JSON', async (backend) => {
    for (const y of ['y.json', 'y-fortran-f8.npy']) {
      const r = await zipp('metrics', 'cmmd', '--x', f('x.npy'), '--y', f(y), '--backend', backend, '--json');
      expect(r.code, r.stderr).toBe(0);
      const out = r.json();
      expect(Object.keys(out).sort()).toEqual(['cmmd', 'dim', 'estimator', 'n_x', 'n_y']);
      expect(out).toMatchObject({ n_x: 6, n_y: 5, dim: 8, estimator: 'biased' });
      relClose(out.cmmd, expected.cmmd_x_y, backend === 'onnxruntime' ? 1e-4 : 1e-6);
    }
  });

  it.each(['typescript', 'onnxruntime'])('gives the unbiased estimator (diagonal left out) with --estimator unbiased on %s, matching NumPy', async (backend) => {
    const r = await zipp('metrics', 'cmmd', '--x', f('x.npy'), '--y', f('y.json'), '--estimator', 'unbiased', '--backend', backend, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ estimator: 'unbiased', n_x: 6, n_y: 5 });
    relClose(r.json().cmmd, expected.cmmd_unbiased_x_y, backend === 'onnxruntime' ? 1e-3 : 1e-6);
    expect(Math.abs(expected.cmmd_unbiased_x_y - expected.cmmd_x_y)).toBeGreaterThan(1);
  });

  it('explains bad input in one line', async () => {
    const ragged = join(tmp, 'ragged.json');
    writeFileSync(ragged, '[[1, 2], [3]]');
    const notJson = join(tmp, 'bad.txt');
    writeFileSync(notJson, 'hello');
    const one = join(tmp, 'one.json');
    writeFileSync(one, JSON.stringify([[1, 2, 3, 4, 5, 6, 7, 8]]));
    const int8 = join(tmp, 'int.npy');
    writeFileSync(int8, Buffer.concat([Buffer.from([0x93]), Buffer.from("NUMPY\x01\x00"), Buffer.from([0x46, 0]), Buffer.from("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), }".padEnd(69, ' ') + '\n'), Buffer.alloc(4)]));
    const cases: [string[], RegExp][] = [
      [['--x', ragged, '--y', f('y.json')], /row 1 has 1 values but row 0 has 2/],
      [['--x', notJson, '--y', f('y.json')], /neither a \.npy file nor valid JSON/],
      [['--x', join(tmp, 'missing.npy'), '--y', f('y.json')], /cannot read .*missing\.npy: no such file/],
      [['--x', int8, '--y', f('y.json')], /dtype \|i1 is not supported; save float32/],
      [['--x', f('x.npy')], /--y: required/],
      [['--x', f('x.npy'), '--y', f('y.json'), '--sigma=-1'], /--sigma: must be > 0/],
      [['--x', f('x.npy'), '--y', f('y.json'), '--scale', 'big'], /--scale: expected a number/],
      [['--x', f('x.npy'), '--y', f('y.json'), '--backend', 'gpu'], /--backend: expected auto, onnxruntime or typescript/],
      [['--x', f('x.npy'), '--y', f('y.json'), '--estimator', 'mvue'], /--estimator: expected biased or unbiased/],
      [['--x', one, '--y', f('y.json'), '--estimator', 'unbiased'], /unbiased estimator needs at least 2 embeddings in each set, got 1 and 5/],
    ];
    for (const [argv, message] of cases) {
      const r = await zipp('metrics', 'cmmd', ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('zipp metrics ipf', () => {
  it('rakes a table solvable by hand', async () => {
    // Cells (gender, age): m-young {60, 80, 66}, m-old {70}, f-young {50}, f-old {64}; targets m/f 0.5/0.5,
    // young/old 0.6/0.4. Raking keeps the odds ratio 3·1/(1·1) = 3, so the m-young share a solves
    // a(a − 0.1) = 3(0.5 − a)(0.6 − a), i.e. 2a² − 3.2a + 0.9 = 0.
    const a = (3.2 - Math.sqrt(3.2 ** 2 - 8 * 0.9)) / 4;
    const ipf = a * ((60 + 80 + 66) / 3) + (0.5 - a) * 70 + (0.6 - a) * 50 + (a - 0.1) * 64;
    const raw = (60 + 70 + 80 + 50 + 64 + 66) / 6;
    const r = await zipp('metrics', 'ipf', '--scores', f('scores.csv'), '--targets', f('targets.json'), '--epsilon', '1e-12', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as Record<string, any>;
    expect(out.raw).toBeCloseTo(raw, 10);
    expect(out.ipf).toBeCloseTo(ipf, 9);
    expect(out.delta_pct).toBeCloseTo((100 * (ipf - raw)) / raw, 8);
    expect(out.converged).toBe(true);
    expect(out.iterations).toBeGreaterThan(1);
    expect(out.subgroups.gender.f).toMatchObject({ n: 2, sample_share: 2 / 6, target_share: 0.5, mean: 57 });
    expect(out.subgroups.age.old).toMatchObject({ n: 2, target_share: 0.4, mean: 67 });
    // σ and range over the four subgroup means 69, 57, 64, 67.
    const means = [69, 57, 64, 67];
    const mu = means.reduce((s, v) => s + v) / 4;
    expect(out.sigma).toBeCloseTo(Math.sqrt(means.reduce((s, v) => s + (v - mu) ** 2, 0) / 4), 10);
    expect(out.range).toBe(12);
  });

  it('with --drop-missing keeps a user of a category without a target in raw and its subgroup row, not in raking', async () => {
    const scores = join(tmp, 'with-x.csv');
    writeFileSync(scores, `${readFileSync(f('scores.csv'), 'utf8').trim()}\nu7,10,x,old\n`);
    const r = await zipp('metrics', 'ipf', '--scores', scores, '--targets', f('targets.json'), '--drop-missing', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as Record<string, any>;
    expect(out).toMatchObject({ n: 7, n_raked: 6, dropped: { sampleCategories: { gender: { x: 1 } }, users: 1 } });
    expect(out.raw).toBeCloseTo((60 + 70 + 80 + 50 + 64 + 66 + 10) / 7, 10);
    expect(out.raw_raked).toBeCloseTo((60 + 70 + 80 + 50 + 64 + 66) / 6, 10);
    expect(out.subgroups.gender.x).toEqual({ n: 1, sample_share: 1 / 7, target_share: null, mean: 10, ipf_mean: null });
    const text = await zipp('metrics', 'ipf', '--scores', scores, '--targets', f('targets.json'), '--drop-missing');
    expect(text.stdout).toMatch(/^raw 57\.14 \(raked users only: 65\.00\)/);
    expect(text.stdout).toMatch(/gender +x +1 +14\.3% +no target +10\.00 +–\n/);
  });

  it('stops at the default epsilon 1e-4 in fewer iterations', async () => {
    const loose = (await zipp('metrics', 'ipf', '--scores', f('scores.csv'), '--targets', f('targets.json'), '--json')).json();
    const tight = (await zipp('metrics', 'ipf', '--scores', f('scores.csv'), '--targets', f('targets.json'), '--epsilon', '1e-12', '--json')).json();
    expect(loose.max_discrepancy as number).toBeLessThan(1e-4);
    expect(loose.iterations as number).toBeLessThan(tight.iterations as number);
  });

  it('refuses a target category with no sample unless --drop-missing, then reports it', async () => {
    const refused = await zipp('metrics', 'ipf', '--scores', f('scores.csv'), '--targets', f('targets-extra.json'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('zipp: target category gender=x has no users in the sample; remove it or pass --drop-missing\n');
    const dropped = await zipp('metrics', 'ipf', '--scores', f('scores.csv'), '--targets', f('targets-extra.json'), '--drop-missing', '--json');
    expect(dropped.code).toBe(0);
    const out = dropped.json() as Record<string, any>;
    expect(out.dropped).toEqual({ sampleCategories: {}, targetCategories: { gender: { x: 0.1 } }, users: 0 });
    expect(out.subgroups.gender.m.target_share).toBeCloseTo(0.5, 12);
    const text = await zipp('metrics', 'ipf', '--scores', f('scores.csv'), '--targets', f('targets-extra.json'), '--drop-missing');
    expect(text.stdout).toContain('dropped: gender=x (target 10.0%, no users)');
  });

  it('uses the UN WPP 2024 targets by default, mapping countries to regions', async () => {
    const r = await zipp('metrics', 'ipf', '--scores', f('scores-countries.csv'), '--drop-missing', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as Record<string, any>;
    expect(Object.keys(out.subgroups).sort()).toEqual(['gender', 'region']);
    expect(out.subgroups.region.Asia).toMatchObject({ n: 4, mean: (80 + 72 + 58 + 61) / 4 });
    expect(out.subgroups.gender.male.n).toBe(4);
    // Oceania has no user here and was dropped; the other five regions renormalised.
    expect(Object.keys(out.dropped.targetCategories.region)).toEqual(['Oceania']);
    const shares = Object.values(out.subgroups.region as Record<string, { target_share: number }>).map((s) => s.target_share);
    expect(shares.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('names the offending row or category of a bad scores file', async () => {
    const write = (name: string, text: string) => (writeFileSync(join(tmp, name), text), join(tmp, name));
    const cases: [string, string, RegExp][] = [
      [write('s1.csv', 'user,score,gender\nu1,abc,m\n'), f('targets.json'), /line 2: score 'abc' is not a number/],
      [write('s2.csv', 'user,gender\nu1,m\n'), f('targets.json'), /lacks column score/],
      [write('s3.csv', 'user,score,gender\nu1,1,m\nu1,2,f\n'), f('targets.json'), /line 3: user u1 appears twice/],
      [write('s4.csv', 'user,score,gender,age\nu1,1,m,young\nu2,2,q,old\n'), f('targets.json'), /sample category gender=q is missing from the targets; add it or pass --drop-missing/],
      [write('s5.csv', 'user,score,gender,country\nu1,1,m,Atlantis\n'), 'wpp2024', /unknown country 'Atlantis'/],
      [f('scores.csv'), write('t.json', '{"gender": {"m": 0.7, "f": 0.7}, "age": {"young": 1}}'), /shares of axis 'gender' sum to 1.4, not 1/],
      [f('scores.csv'), write('t2.json', '{"gender": {"m": "half"}}'), /at gender\.m: .*expected/],
    ];
    for (const [scores, targets, message] of cases) {
      const r = await zipp('metrics', 'ipf', '--scores', scores, '--targets', targets);
      expect(r.code, `${scores} ${targets}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('zipp metrics winrate', () => {
  it('tabulates votes with the exact binomial p-value', async () => {
    const r = await zipp('metrics', 'winrate', '--votes', f('votes.csv'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({
      pairs: [{ a: 'persona', b: 'baseline', n: 10, wins_a: 9, wins_b: 1, ties: 1, win_rate_a: 0.9, p_value: expect.closeTo(0.021484375, 14) }],
    });
    const text = await zipp('metrics', 'winrate', '--votes', f('votes.csv'));
    expect(text.stdout).toMatch(/persona\s+baseline\s+90\.0%\s+10\s+1\s+0\.0215/);
  });

  it('tests a single count given on the command line', async () => {
    const r = await zipp('metrics', 'winrate', '--wins', '9', '--n', '10', '--json');
    expect(r.json()).toEqual({ wins: 9, n: 10, win_rate: 0.9, p_value: expect.closeTo(0.021484375, 14) });
    expect((await zipp('metrics', 'winrate', '--wins', '11', '--n', '10')).stderr).toBe('zipp: --wins 11 is more than --n 10\n');
    expect((await zipp('metrics', 'winrate', '--wins', '3')).stderr).toMatch(/--n: --wins and --n go together/);
    expect((await zipp('metrics', 'winrate')).stderr).toMatch(/give either --votes FILE or --wins K --n N/);
  });
});

describe('the zipp binary', () => {
  it('exits 2 with one line on stderr for bad input', async () => {
    const bin = fileURLToPath(new URL('../../bin/zipp.js', import.meta.url));
    const err = await promisify(execFile)(process.execPath, [bin, 'metrics', 'cmmd', '--x', f('x.npy'), '--y', join(tmp, 'none.npy')]).catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect('code' in err && err.code).toBe(2);
    expect(err.stderr).toMatch(/^zipp: cannot read .*none\.npy: no such file\n$/);
    const ok = await promisify(execFile)(process.execPath, [bin, 'metrics', 'winrate', '--wins', '198', '--n', '250', '--json']);
    expect(JSON.parse(ok.stdout).p_value).toBeLessThan(1e-18);
  });
});
