import { z } from 'zod';
import { Persona } from '../../../shared/schemas/persona.ts';
import type { ZippDb } from './db.ts';
import { HistoryRecord, SiteRecord } from './records.ts';
import { getPreferences, updatePreferences } from './preferences.ts';
import { InputError } from '../../../shared/errors.ts';

/**
 * The file a person exports and imports: their personas, the prompt history captured on each site, the
 * per-site switches and which persona is active. The rewrite log stays behind (it is a local audit
 * trail, not something to carry to another browser).
 */
export const BACKUP_FORMAT = 'zipp-extension-backup';

export const Backup = z.object({
  format: z.literal(BACKUP_FORMAT, `not a ZIPP backup: "format" must be "${BACKUP_FORMAT}"`),
  version: z.literal(1, 'this backup was written by a newer ZIPP: update the extension to import it'),
  exportedAt: z.iso.datetime(),
  activePersonaId: z.string().optional(),
  personas: z.array(Persona).default([]),
  history: z.array(HistoryRecord.omit({ id: true })).default([]),
  sites: z.array(SiteRecord).default([]),
});
export type Backup = z.infer<typeof Backup>;

export async function exportBackup(db: ZippDb): Promise<Backup> {
  const prefs = await getPreferences(db);
  return {
    format: BACKUP_FORMAT,
    version: 1,
    exportedAt: new Date().toISOString(),
    ...(prefs.activePersonaId ? { activePersonaId: prefs.activePersonaId } : {}),
    personas: await db.personas.orderBy('updatedAt').toArray(),
    history: (await db.history.orderBy('createdAt').toArray()).map(({ id: _id, ...h }) => h),
    sites: await db.sites.orderBy('host').toArray(),
  };
}

/** Thrown for a file that is not a valid backup; the message lists each problem with its JSON path. */
export class BackupError extends InputError {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems: ${problems.join('; ')}`);
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

/** Parses and validates a backup file's text; never touches the database. */
export function parseBackup(text: string): Backup {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BackupError([`the file is not JSON (${(err as Error).message}): choose a file exported by ZIPP`]);
  }
  const parsed = Backup.safeParse(json);
  if (!parsed.success) {
    throw new BackupError(
      parsed.error.issues.slice(0, 10).map((i) => (i.path.length ? `${pathOf(i.path)}: ${i.message}` : i.message)),
    );
  }
  return parsed.data;
}

export interface ImportSummary {
  personas: number;
  history: number;
  sites: number;
}

/**
 * Merges a backup into the database: personas are upserted by id (the newer `updatedAt` wins), history
 * entries already present (same site, prompt and time) are skipped, site switches are overwritten.
 */
export async function importBackup(db: ZippDb, backup: Backup): Promise<ImportSummary> {
  return db.transaction('rw', [db.personas, db.history, db.sites, db.settings], async () => {
    let personas = 0;
    for (const p of backup.personas) {
      const existing = await db.personas.get(p.id);
      if (existing && existing.updatedAt >= p.updatedAt) continue;
      await db.personas.put(p);
      personas++;
    }
    let history = 0;
    for (const h of backup.history) {
      const same = await db.history
        .where('[site+createdAt]')
        .equals([h.site, h.createdAt])
        .filter((x) => x.prompt === h.prompt)
        .count();
      if (same) continue;
      await db.history.add(h);
      history++;
    }
    await db.sites.bulkPut(backup.sites);
    const prefs = await getPreferences(db);
    const active = prefs.activePersonaId && (await db.personas.get(prefs.activePersonaId));
    if (!active && backup.activePersonaId && (await db.personas.get(backup.activePersonaId))) {
      await updatePreferences(db, { activePersonaId: backup.activePersonaId });
    }
    return { personas, history, sites: backup.sites.length };
  });
}
