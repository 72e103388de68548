import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { embeddingMatrix, type EmbeddingMatrix } from '../../shared/metrics/embeddings.ts';
import { canonicalJson } from '../engines/image-cache.ts';
import { InputError } from '../../shared/errors.ts';

/**
 * Everything a benchmark run has finished, in one SQLite file in the run directory (`bench.db`): personas,
 * rewrites and metric values as JSON units, CLIP embeddings as float32 blobs. Every unit is keyed by a
 * hash of all that decides it, so a rerun — or a run with a changed config in the same directory — redoes
 * exactly the units whose inputs changed, and nothing else. Images live in the engine pool's
 * content-addressed cache beside it. Each unit is written in its own statement the moment it is done:
 * a run killed midway loses at most the units in flight.
 */
export type UnitKind = 'query' | 'persona' | 'rewrite' | 'metric';

/** SHA-256 of the canonical JSON of a value (object keys sorted): the key of a unit. */
export const unitKey = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');

export class BenchStore {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS units (
        kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (kind, key)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS embeddings (
        space TEXT NOT NULL, key TEXT NOT NULL, dim INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (space, key)) WITHOUT ROWID;
    `);
    this.stmts = {
      getUnit: this.db.prepare<[string, string], { value: string }>('SELECT value FROM units WHERE kind = ? AND key = ?'),
      putUnit: this.db.prepare('INSERT OR REPLACE INTO units (kind, key, value, created_at) VALUES (?, ?, ?, ?)'),
      hasEmbedding: this.db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM embeddings WHERE space = ? AND key = ?'),
      getEmbedding: this.db.prepare<[string, string], { dim: number; data: Buffer }>('SELECT dim, data FROM embeddings WHERE space = ? AND key = ?'),
      putEmbedding: this.db.prepare('INSERT OR REPLACE INTO embeddings (space, key, dim, data) VALUES (?, ?, ?, ?)'),
    };
  }

  getUnit<T>(kind: UnitKind, key: string): T | undefined {
    const row = this.stmts.getUnit.get(kind, key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  putUnit(kind: UnitKind, key: string, value: unknown): void {
    this.stmts.putUnit.run(kind, key, JSON.stringify(value), new Date().toISOString());
  }

  hasEmbedding(space: string, key: string): boolean {
    return this.stmts.hasEmbedding.get(space, key) !== undefined;
  }

  /** Stores row i of `m` under keys[i], all in one transaction. */
  putEmbeddings(space: string, keys: readonly string[], m: EmbeddingMatrix): void {
    if (keys.length !== m.rows) throw new InputError(`${keys.length} keys for ${m.rows} embeddings`);
    this.db.transaction(() => {
      keys.forEach((key, i) => {
        const row = Float32Array.from(m.data.subarray(i * m.dim, (i + 1) * m.dim));
        this.stmts.putEmbedding.run(space, key, m.dim, Buffer.from(row.buffer));
      });
    })();
  }

  /** The embeddings of `keys`, in order, as one matrix; throws naming the first missing key. */
  getEmbeddings(space: string, keys: readonly string[]): EmbeddingMatrix {
    let out: Float32Array | undefined;
    let dim = 0;
    keys.forEach((key, i) => {
      const row = this.stmts.getEmbedding.get(space, key);
      if (!row) throw new InputError(`no ${space} embedding for ${key}: run the benchmark (zipp bench) before the report`);
      if (!out) {
        dim = row.dim;
        out = new Float32Array(keys.length * dim);
      }
      if (row.dim !== dim) throw new InputError(`${space} embeddings have mixed sizes (${dim} and ${row.dim})`);
      out.set(new Float32Array(row.data.buffer.slice(row.data.byteOffset, row.data.byteOffset + row.data.byteLength)), i * dim);
    });
    if (!out) throw new InputError(`no ${space} embeddings asked for`);
    return embeddingMatrix(out, keys.length, dim, `${space} embeddings`);
  }

  close(): void {
    this.db.close();
  }
}
