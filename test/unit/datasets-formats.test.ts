import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPip, shortQuery } from '../../server/datasets/pip.ts';
import { loadRapidData, profileId, readPreferences } from '../../server/datasets/rapiddata.ts';
import { loadZipBench } from '../../server/datasets/zipbench.ts';

const fixtures = fileURLToPath(new URL('../fixtures/datasets/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'zipp-datasets-'));
const write = (name: string, text: string) => {
  const path = join(tmp, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};

describe('PIP / Tailored Visions', () => {
  it('splits each user file into history and two test queries, dropping NSFW records', async () => {
    const d = await loadPip(join(fixtures, 'pip'));
    expect(d.users.map((u) => u.id)).toEqual(['1043', '2210']);
    const [a, b] = d.users;
    expect(a!.queries).toEqual(['a fishing village', 'a winter forest']);
    expect(a!.history).toHaveLength(3);
    expect(a!.history.join(' ')).not.toMatch(/nude/);
    expect(a!.referenceImages).toEqual(['0001', '0002', '0003'].map((n) => `https://images.example.org/pip/1043/${n}.png`));
    // User 2210 marks its split; numeric user ids and 0/1 NSFW flags are accepted.
    expect(b!.queries).toEqual(['a night market', 'a robot portrait']);
    expect(b!.history).toHaveLength(3);
  });

  it('rewrites the test query shortened to under 10 words (Tailored Visions) and scores against the full prompt', async () => {
    const dir = join(tmp, 'pip-short');
    write(
      'pip-short/u7.jsonl',
      [
        { prompt: 'a harbour at dawn, boats', user_id: 'u7', NSFW: false, result_url: 'x/1.png' },
        { prompt: 'an old stone bridge over a misty river at sunrise with swans gliding, oil painting, golden light', user_id: 'u7', NSFW: false, result_url: 'x/2.png', split: 'test' },
        { prompt: 'portrait of a violinist on stage under blue spotlights, shallow depth of field', user_id: 'u7', NSFW: false, result_url: 'x/3.png', split: 'test', query: 'a violinist on stage' },
        { prompt: 'a red kite', user_id: 'u7', NSFW: false, result_url: 'x/4.png', split: 'test' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const [u] = (await loadPip(dir, { testPerUser: 3 })).users;
    expect(u!.queries[0]).toBe('an old stone bridge over a misty river at sunrise with swans gliding, oil painting, golden light');
    expect(u!.inputs).toEqual(['an old stone bridge over a misty river', 'a violinist on stage', 'a red kite']);
    for (const q of u!.inputs!) expect(q.split(' ').length).toBeLessThan(10);
    expect(shortQuery('a, b')).toBe('a, b');
  });

  it('keeps NSFW records when asked and honours another test size', async () => {
    const d = await loadPip(join(fixtures, 'pip'), { includeNsfw: true, testPerUser: 1 });
    expect(d.users[0]!.history).toContain('nude figure study');
    expect(d.users[0]!.queries).toEqual(['a winter forest']);
  });

  it('names the file, line and field of a bad record', async () => {
    write('pip-bad/u1.jsonl', '{"prompt": "a", "user_id": "1", "NSFW": false, "result_url": "x"}\n{"prompt": "b", "user_id": "1", "NSFW": false}\n');
    await expect(loadPip(join(tmp, 'pip-bad'))).rejects.toThrow(/u1\.jsonl line 2: result_url: /);
    write('pip-mixed/u1.jsonl', '{"prompt": "a", "user_id": "1", "NSFW": false, "result_url": "x"}\n{"prompt": "b", "user_id": "2", "NSFW": false, "result_url": "y"}\n');
    await expect(loadPip(join(tmp, 'pip-mixed'))).rejects.toThrow(/record 2 belongs to user 2, not 1; keep one user per file/);
    mkdirSync(join(tmp, 'pip-empty'), { recursive: true });
    await expect(loadPip(join(tmp, 'pip-empty'))).rejects.toThrow(/has no \.jsonl files/);
    await expect(loadPip(join(tmp, 'nowhere'))).rejects.toThrow(/cannot read PIP directory/);
  });
});

describe('ZIP-Bench style', () => {
  it('reads persona, history, reference images and queries', async () => {
    const file = join(fixtures, 'zipbench.jsonl');
    const d = await loadZipBench(file);
    expect(d.users).toHaveLength(2);
    const [a, b] = d.users;
    expect(a).toMatchObject({
      id: 'zb-001',
      persona: expect.stringMatching(/^You are a retired ship's engineer/),
      history: ['an old wooden sailboat in dry dock, morning fog', 'a brass ship engine, close-up, worn paint'],
      queries: ['a harbour at dawn, gulls, muted colours', "a lighthouse keeper's cottage"],
      referenceImages: [join(fixtures, 'images/zb-001/0.png'), join(fixtures, 'images/zb-001/1.png')],
      demographics: { age: '55+', gender: 'male', country: 'United States', profession: 'Manual Trades' },
    });
    expect(b).toMatchObject({ history: ['a record shop at night, city pop posters', 'a risograph print of a tram'], queries: ['a bowl of noodles', 'a rainy crosswalk'], referenceImages: ['https://images.example.org/zb-002/0.png'] });
  });

  it('rejects records without a persona, duplicate users and too short histories', async () => {
    await expect(loadZipBench(write('zb1.jsonl', '{"user_id": "a", "history": ["x", "y", "z"]}\n'))).rejects.toThrow(/line 1: persona: /);
    const rec = '{"user_id": "a", "persona": "p", "history": ["x", "y", "z"]}';
    await expect(loadZipBench(write('zb2.jsonl', `${rec}\n${rec}\n`))).rejects.toThrow(/user a appears twice/);
    await expect(loadZipBench(write('zb3.json', '[{"user_id": "a", "persona": "p", "history": ["x", "y"]}]'))).rejects.toThrow(/has 2 history prompts; give "queries" or more than 2/);
    await expect(loadZipBench(write('zb4.jsonl', '{"user_id": "a",\n'))).rejects.toThrow(/line 1 is not valid JSON/);
  });
});

describe('RapidData style', () => {
  it('reads pairs with per-vote demographics, accepting occupation for profession', async () => {
    const records = await readPreferences(join(fixtures, 'rapiddata.jsonl'));
    expect(records).toHaveLength(3);
    expect(records[0]!.votes[1]).toEqual({ choice: 'image2', age: '45-54', gender: 'male', country: 'Germany', language: 'de', profession: 'Engineering' });
  });

  it('groups votes into demographic profiles as users', async () => {
    const d = await loadRapidData(join(fixtures, 'rapiddata.jsonl'), { queriesPerUser: 1 });
    const student = { age: '25-34', gender: 'female', country: 'Brazil', language: 'pt', profession: 'Student' };
    const engineer = { age: '45-54', gender: 'male', country: 'Germany', language: 'de', profession: 'Engineering' };
    expect(d.users).toEqual([
      { id: profileId(student), demographics: student, history: ['a red fox sitting in fresh snow', 'a street food stall at night'], queries: ['an astronaut reading in a library'] },
      { id: profileId(engineer), demographics: engineer, history: ['a red fox sitting in fresh snow'], queries: ['an astronaut reading in a library'] },
    ]);
    // With the default two queries the engineer (two prompts) has no history left and is skipped.
    expect((await loadRapidData(join(fixtures, 'rapiddata.jsonl'))).users.map((u) => u.id)).toEqual([profileId(student)]);
  });

  it('requires a choice and every demographic axis', async () => {
    const base = { prompt: 'p', image1: 'a', image2: 'b', model1: 'x', model2: 'y' };
    const vote = { choice: 'image1', age: '18-24', gender: 'f', country: 'Peru', language: 'es' };
    await expect(readPreferences(write('r1.jsonl', JSON.stringify({ ...base, votes: [vote] })))).rejects.toThrow(/line 1: votes\.0\.profession: profession \(or occupation\) is required/);
    await expect(readPreferences(write('r2.jsonl', JSON.stringify({ ...base, votes: [{ ...vote, profession: 'x', choice: 'left' }] })))).rejects.toThrow(/votes\.0\.choice/);
    await expect(readPreferences(write('r3.jsonl', JSON.stringify({ ...base, votes: [] })))).rejects.toThrow(/at least one vote/);
  });
});
