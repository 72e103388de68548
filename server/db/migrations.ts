import type Database from 'better-sqlite3';
import { redact } from '../runtime/logger.ts';

/** A migration: SQL, or a function for changes SQL cannot express (run inside the same transaction). */
export type Migration = string | ((db: Database.Database) => void);

/**
 * The server's schema, one entry per version. `PRAGMA user_version` records how many have run, so a data
 * directory created by an older build is brought forward on start and never rebuilt from scratch. Append
 * new migrations; never edit one that has shipped.
 */
export const MIGRATIONS: readonly Migration[] = [
  // 1: durable jobs, their finished units (batch items, training epochs) and POST idempotency records.
  `
  CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued','running','interrupted','succeeded','failed','cancelled')),
    params        TEXT NOT NULL,
    progress      TEXT NOT NULL DEFAULT '{"done":0,"total":0}',
    checkpoint    TEXT,
    result        TEXT,
    error         TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    interruptions INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    updated_at    TEXT NOT NULL
  );
  CREATE INDEX jobs_by_status ON jobs (status, created_at);
  CREATE INDEX jobs_by_created ON jobs (created_at);

  CREATE TABLE job_units (
    job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    unit        INTEGER NOT NULL,
    result      TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (job_id, unit)
  ) WITHOUT ROWID;

  CREATE TABLE idempotency (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,
    body         TEXT,
    content_type TEXT,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_by_created ON idempotency (created_at);
  `,
  // 2: secrets a request body carried (an image engine apiKey in a bench config) were stored in job
  // parameters and in the stored idempotent answers; scrub them as the job store now does on write.
  (db) => {
    const scrub = (text: string | null): string | null => {
      if (text === null) return null;
      try {
        const clean = JSON.stringify(redact(JSON.parse(text)));
        return clean === JSON.stringify(JSON.parse(text)) ? text : clean;
      } catch {
        return text;
      }
    };
    const jobs = db.prepare('SELECT id, params FROM jobs').all() as { id: string; params: string }[];
    const setParams = db.prepare('UPDATE jobs SET params = ? WHERE id = ?');
    for (const j of jobs) {
      const clean = scrub(j.params);
      if (clean !== j.params) setParams.run(clean, j.id);
    }
    const answers = db.prepare('SELECT scope, key, body FROM idempotency').all() as { scope: string; key: string; body: string | null }[];
    const setBody = db.prepare('UPDATE idempotency SET body = ? WHERE scope = ? AND key = ?');
    for (const a of answers) {
      const clean = scrub(a.body);
      if (clean !== a.body) setBody.run(clean, a.scope, a.key);
    }
  },
];

/** Runs every migration the database has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the data directory's database is at schema version ${current}, newer than this build knows (${MIGRATIONS.length}); ` +
        'upgrade zipp or point --data at another directory',
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      const step = MIGRATIONS[v]!;
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
