import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The corpus of wrong input files (and the one wrong flag value) that used to surface as a reader's
 * internals or as silence: the real `zipp` process must exit 2 with ONE line on stderr that names the file
 * (or the flag), says what is wrong and how to fix it.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const ZIPP = path.join(ROOT, 'bin/zipp.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'zipp-bad-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const file = (name: string, contents: string | Buffer) => {
  const p = path.join(tmp, name);
  writeFileSync(p, contents);
  return p;
};
const GOOD = file('good.csv', 'user,community,posts\nu1,photography,3\nu2,cooking,2\nu1,cooking,1\nu3,cooking,1\nu3,photography,2\n');
// Random bytes that start with a NUL, as a binary file given by mistake would.
const RANDOM = file('random.bin', Buffer.concat([Buffer.from([0x00, 0xff, 0x13]), randomBytes(4096)]));

const cases: { name: string; args: string[]; line: RegExp }[] = [
  {
    name: 'an empty CSV',
    args: ['encoder', 'ingest', '--interactions', file('empty.csv', '')],
    line: /empty\.csv: the file is empty; give a CSV with a header line/,
  },
  {
    name: 'a .ndjson.zst that is not zstd',
    args: ['encoder', 'ingest', '--interactions', file('dump.ndjson.zst', '{"author": "a", "subreddit": "analog"}\n')],
    line: /dump\.ndjson\.zst: not zstd-compressed .*drop the \.zst from its name, else recompress it with zstd/,
  },
  {
    name: 'UTF-16 text',
    args: ['encoder', 'ingest', '--interactions', file('utf16.csv', Buffer.from('\ufeffuser,community\nu1,analog\n', 'utf16le'))],
    line: /utf16\.csv: the file is UTF-16 text; save it as UTF-8 \(e\.g\. iconv -f UTF-16 -t UTF-8/,
  },
  {
    name: 'a quoted line break in the header',
    args: ['encoder', 'ingest', '--interactions', file('quoted.csv', '"user\n",community\nu1,analog\n')],
    line: /quoted\.csv: the header line has a line break inside the quoted column name "user\\n"; put the whole header on the first line/,
  },
  {
    name: 'binary data named .csv',
    args: ['encoder', 'ingest', '--interactions', file('random.csv', Buffer.concat([Buffer.from([0x00]), randomBytes(512)]))],
    line: /random\.csv: the file holds binary data, not text; give a CSV/,
  },
  {
    name: 'a negative number for a flag',
    args: ['encoder', 'train', '--interactions', GOOD, '--out', path.join(tmp, 'm1'), '--epochs', '-5'],
    line: /^zipp: --epochs: expected a whole number ≥ 1/,
  },
  {
    name: 'random bytes as the communities file of training',
    args: ['encoder', 'train', '--interactions', GOOD, '--communities', RANDOM, '--out', path.join(tmp, 'm2'), '--epochs', '1'],
    line: /random\.bin: binary data, not text; give a UTF-8 text file/,
  },
  {
    name: 'random bytes as the descriptions of inference',
    args: ['encoder', 'infer', '--communities', 'photography:3', '--descriptions', RANDOM],
    line: /random\.bin: binary data, not text; give a UTF-8 text file/,
  },
  {
    name: 'a CSV given as the descriptions of inference',
    args: ['encoder', 'infer', '--communities', 'photography:3', '--descriptions', GOOD],
    line: /good\.csv line 1: not JSON; write one \{"name": "\.\.\.", .*\} object per line/,
  },
];

describe('bad input files at the command line', () => {
  it.each(cases)('$name: exit 2 and one line naming the file, the problem and the fix', async ({ args, line }) => {
    const r = await promisify(execFile)(process.execPath, [ZIPP, ...args], { cwd: tmp, env: { PATH: process.env.PATH ?? '' } }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^zipp: /);
    expect(lines[0]).toMatch(line);
  });

  it('still reads a CSV whose quoted fields hold line breaks', async () => {
    const quoted = file('quoted-body.csv', 'user,community,posts,note\nu1,photography,3,"first line\nsecond line"\nu2,cooking,2,"x"\n');
    const { stdout } = await promisify(execFile)(process.execPath, [ZIPP, 'encoder', 'ingest', '--interactions', quoted, '--json'], { cwd: tmp });
    expect(JSON.parse(stdout).final).toMatchObject({ users: 2, communities: 2, edges: 2 });
  });
});
