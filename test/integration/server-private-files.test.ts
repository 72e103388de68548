import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { StudyDb } from '../../server/study/db.ts';
import { spawnZipp, type ZippProcess } from '../helpers/server-process.ts';

/**
 * What the server keeps on disk is readable by its own user only, whatever the data directory's mode, and
 * job records never hold a secret: checked on the real `zipp serve` process.
 */
let dataDir: string;
let zipp: ZippProcess | undefined;

afterEach(async () => {
  zipp?.child.kill('SIGTERM');
  await zipp?.exited;
  zipp = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

const mode = (file: string) => statSync(file).mode & 0o777;
const sqliteFiles = (base: string) => [base, `${base}-wal`, `${base}-shm`].filter(existsSync);

describe('the server databases', () => {
  it('are created 0600 in a data directory that already exists at 0755', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-private-'));
    chmodSync(dataDir, 0o755);
    const previous = process.umask(0o022);
    try {
      zipp = await spawnZipp({ dataDir });
    } finally {
      process.umask(previous);
    }
    // A write, so the WAL files exist too.
    expect((await zipp.json('POST', '/v1/rewrite/batch', { items: [{ prompt: 'a lighthouse' }] })).status).toBe(503);
    const files = [...sqliteFiles(path.join(dataDir, 'zipp.db')), ...sqliteFiles(path.join(dataDir, 'study.db'))];
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['zipp.db', 'zipp.db-wal', 'study.db']));
    for (const f of files) expect([path.basename(f), mode(f).toString(8)]).toEqual([path.basename(f), '600']);
  });

  it('are tightened to 0600 on start when an older server left them readable', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-private-'));
    chmodSync(dataDir, 0o755);
    const db = openDatabase(path.join(dataDir, 'zipp.db'));
    const study = new StudyDb(path.join(dataDir, 'study.db'));
    for (const f of [...sqliteFiles(path.join(dataDir, 'zipp.db')), ...sqliteFiles(path.join(dataDir, 'study.db'))]) chmodSync(f, 0o644);
    db.close();
    study.close();
    zipp = await spawnZipp({ dataDir });
    for (const f of [...sqliteFiles(path.join(dataDir, 'zipp.db')), ...sqliteFiles(path.join(dataDir, 'study.db'))]) expect([path.basename(f), mode(f)]).toEqual([path.basename(f), 0o600]);
  });
});

describe('job records', () => {
  it('hold no secret: one stored by an older server is scrubbed on start and never returned', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-private-'));
    // A database as the previous schema left it, with an image engine key a bench body carried.
    const old = new Database(path.join(dataDir, 'zipp.db'));
    old.exec(readFileSync(new URL('../fixtures/server/zipp-db-v1.sql', import.meta.url), 'utf8'));
    old.close();
    zipp = await spawnZipp({ dataDir });
    const { status, body } = await zipp.json('GET', '/v1/jobs/job_0000000000000000old1');
    expect(status).toBe(200);
    expect(body.params.engine).toMatchObject({ kind: 'openai', apiKey: '[redacted]', model: 'gpt-image-1' });
    expect(body.params.llms[0]).toMatchObject({ model: 'gpt-4o-mini', maxTokens: 300 });
    zipp.child.kill('SIGTERM');
    await zipp.exited;
    zipp = undefined;
    // Gone from the file itself (the job row and the stored idempotent answer), not only from answers.
    const after = new Database(path.join(dataDir, 'zipp.db'), { readonly: true });
    const dump = JSON.stringify([after.prepare('SELECT * FROM jobs').all(), after.prepare('SELECT * FROM idempotency').all()]);
    after.close();
    expect(dump).not.toContain('sk-leaked-image-key');
    expect(dump).toContain('[redacted]');
  });
});
