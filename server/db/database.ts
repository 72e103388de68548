import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { migrate } from './migrations.ts';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the server's SQLite file and brings its schema up to date.
 * WAL lets the dashboard's reads run beside job writes; `synchronous = NORMAL` is durable across a process
 * crash (kill -9) in WAL mode, which is the failure the job system is built to survive, and costs far
 * fewer fsyncs than FULL. A busy timeout covers a second process (e.g. a CLI) touching the same file.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') privateSqliteFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/**
 * Makes a SQLite file (and its -wal / -shm companions) readable by this user only: created 0600 before
 * SQLite opens it, whatever the umask or the directory's mode, and tightened when an older build left it
 * readable to others. SQLite creates the companions with the database file's own mode. The databases
 * hold questionnaire answers, personas and job records; the token file is kept the same way.
 */
export function privateSqliteFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}
