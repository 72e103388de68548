import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
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
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}
