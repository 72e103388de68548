import type Database from 'better-sqlite3';

/**
 * The server's schema, one entry per version. `PRAGMA user_version` records how many have run, so a data
 * directory created by an older build is brought forward on start and never rebuilt from scratch. Append
 * new migrations; never edit one that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
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
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
