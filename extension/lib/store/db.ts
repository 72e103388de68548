import { Dexie, type EntityTable } from 'dexie';
import type { Persona } from '../../../shared/schemas/persona.ts';
import type { HistoryRecord, RewriteRecord, SiteRecord, VoteRecord } from './records.ts';
import { migrateToV2 } from './migrations.ts';

export const DB_NAME = 'zipp';

/**
 * Index layout of each schema version. Dexie needs every past version declared (with its upgrade) so a
 * browser holding an older database walks forward through each one.
 */
export const SCHEMA = {
  1: {
    personas: 'id, updatedAt',
    history: '++id, site, createdAt',
    rewrites: '++id, site, createdAt',
    settings: 'key',
  },
  2: {
    personas: 'id, updatedAt',
    history: '++id, site, createdAt, [site+createdAt]',
    rewrites: '++id, site, createdAt, outcome',
    settings: 'key',
    sites: 'host',
  },
  /** + votes: the person's picks between two candidates (no data to move). */
  3: {
    personas: 'id, updatedAt',
    history: '++id, site, createdAt, [site+createdAt]',
    rewrites: '++id, site, createdAt, outcome',
    settings: 'key',
    sites: 'host',
    votes: '++id, site, createdAt',
  },
} as const;

export interface SettingRow {
  key: string;
  value: unknown;
}

export type ZippDb = Dexie & {
  personas: EntityTable<Persona, 'id'>;
  history: EntityTable<HistoryRecord, 'id'>;
  rewrites: EntityTable<RewriteRecord, 'id'>;
  settings: EntityTable<SettingRow, 'key'>;
  sites: EntityTable<SiteRecord, 'host'>;
  votes: EntityTable<VoteRecord, 'id'>;
};

/** Opens (creating or migrating) the extension's database. `name` is for tests. */
export function openDb(name = DB_NAME): ZippDb {
  const db = new Dexie(name) as ZippDb;
  db.version(1).stores(SCHEMA[1]);
  db.version(2).stores(SCHEMA[2]).upgrade(migrateToV2);
  db.version(3).stores(SCHEMA[3]);
  return db;
}
