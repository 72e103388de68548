import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A single-quoted SQL string literal. */
export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Runs `fn` with a fresh in-memory DuckDB whose spill directory is a private temp folder, so
 * aggregations larger than memory go to disk (DuckDB processes out of core) and nothing is left behind.
 */
export async function withDuckDb<T>(fn: (db: DuckDBConnection) => Promise<T>, options: { threads?: number; memoryLimit?: string } = {}): Promise<T> {
  const spill = mkdtempSync(path.join(tmpdir(), 'zipp-duckdb-'));
  const instance = await DuckDBInstance.create(':memory:', {
    temp_directory: spill,
    ...(options.threads ? { threads: String(options.threads) } : {}),
    ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
  });
  const db = await instance.connect();
  try {
    return await fn(db);
  } finally {
    db.closeSync();
    instance.closeSync();
    rmSync(spill, { recursive: true, force: true });
  }
}

/** Rows of a query as plain JS objects (BIGINT/HUGEINT columns come back as numbers where exact). */
export async function queryRows<T extends Record<string, unknown>>(db: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
    return out as T;
  });
}
