import { z } from 'zod';
import { Persona } from '../../../shared/schemas/persona.ts';
import type { ZippDb } from './db.ts';
import { HistoryRecord, NO_PERSONA_ARM, PERSONA_ARM, Preferences, SiteRecord, VoteRecord } from './records.ts';
import { getPreferences, updatePreferences } from './preferences.ts';
import { InputError } from '../../../shared/errors.ts';

/**
 * The file a person exports and imports: their personas, the prompt history captured on each site, the
 * per-site switches (and picked prompt boxes), their picks between two candidates (votes), their
 * preferences and which persona is active. The rewrite log stays behind (it is a local audit trail, not
 * something to carry to another browser), and so does the LLM connection (it holds the key).
 * Fields added after version 1 (votes, preferences) are optional, so every earlier file still imports.
 */
export const BACKUP_FORMAT = 'zipp-extension-backup';

/**
 * A vote as the file carries it: without its row id and without `logIds` (they point into the rewrite
 * log, which is not in the file). A persona-vs-none vote must name its arms as the extension does, or
 * the "Does my persona help me?" panel would count it under the wrong arm.
 */
export const BackupVote = VoteRecord.omit({ id: true, logIds: true }).refine(
  (v) => v.mode !== 'persona-vs-none' || (v.a === PERSONA_ARM && v.b === NO_PERSONA_ARM && v.bPersonaId === null),
  {
    message: `a persona-vs-none vote has a = "${PERSONA_ARM}", b = "${NO_PERSONA_ARM}" and bPersonaId = null: fix those fields or set mode to "persona-vs-persona"`,
  },
);
export type BackupVote = z.infer<typeof BackupVote>;

/**
 * The preferences the file carries. Which persona is active travels as `activePersonaId`; whether this
 * browser's first-run page was done (`onboarded`) belongs to the browser, not the person.
 */
export const BackupPreferences = Preferences.omit({ activePersonaId: true, onboarded: true });
export type BackupPreferences = z.infer<typeof BackupPreferences>;

export const Backup = z.object({
  format: z.literal(BACKUP_FORMAT, `not a ZIPP backup: "format" must be "${BACKUP_FORMAT}"`),
  version: z.literal(1, 'this backup was written by a newer ZIPP: update the extension to import it'),
  exportedAt: z.iso.datetime(),
  activePersonaId: z.string().optional(),
  personas: z.array(Persona).default([]),
  history: z.array(HistoryRecord.omit({ id: true })).default([]),
  sites: z.array(SiteRecord).default([]),
  votes: z.array(BackupVote).default([]),
  preferences: BackupPreferences.optional(),
});
export type Backup = z.infer<typeof Backup>;

/** Everything the file holds, read in one transaction (a consistent snapshot). */
export async function exportBackup(db: ZippDb): Promise<Backup> {
  return db.transaction('r', [db.personas, db.history, db.sites, db.settings, db.votes], async () => {
    const { activePersonaId, onboarded: _onboarded, ...preferences } = await getPreferences(db);
    return {
      format: BACKUP_FORMAT,
      version: 1,
      exportedAt: new Date().toISOString(),
      ...(activePersonaId ? { activePersonaId } : {}),
      personas: await db.personas.orderBy('updatedAt').toArray(),
      history: (await db.history.orderBy('createdAt').toArray()).map(({ id: _id, ...h }) => h),
      sites: await db.sites.orderBy('host').toArray(),
      votes: (await db.votes.orderBy('createdAt').toArray()).map(({ id: _id, logIds: _logIds, ...v }) => v),
      preferences,
    };
  });
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
  votes: number;
  /** Whether the file carried preferences (they replace this browser's). */
  preferences: boolean;
}

const sameVote = (x: BackupVote, y: BackupVote) => voteKey(x) === voteKey(y);
const voteKey = (v: BackupVote) => JSON.stringify([v.site, v.createdAt, v.mode, v.a, v.b, v.winner, v.first]);

/**
 * Merges a backup into the database, all or nothing (one transaction; the file was validated before):
 * personas are upserted by id (the newer `updatedAt` wins), history entries and votes already present
 * (same site, time and content) are skipped, site switches and preferences are overwritten.
 */
export async function importBackup(db: ZippDb, backup: Backup): Promise<ImportSummary> {
  return db.transaction('rw', [db.personas, db.history, db.sites, db.settings, db.votes], async () => {
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
    // A vote is skipped as many times as its twin was already here before this import: the file may hold
    // two equal picks made in the same millisecond, and both are votes (re-importing still adds none).
    let votes = 0;
    const alreadyHere = new Map<string, number>();
    for (const v of backup.votes) {
      const key = voteKey(v);
      const here = alreadyHere.get(key) ?? (await db.votes.where('site').equals(v.site).filter((x) => sameVote(x, v)).count());
      if (here > 0) {
        alreadyHere.set(key, here - 1);
        continue;
      }
      alreadyHere.set(key, 0);
      await db.votes.add(v);
      votes++;
    }
    if (backup.preferences) {
      const { comparePersonaId, ...rest } = backup.preferences;
      // The second persona only if it is here (else the two-candidates mode would fail on every rewrite).
      const compare = comparePersonaId && (await db.personas.get(comparePersonaId)) ? comparePersonaId : (await getPreferences(db)).comparePersonaId;
      await updatePreferences(db, { ...rest, comparePersonaId: compare });
    }
    const prefs = await getPreferences(db);
    const active = prefs.activePersonaId && (await db.personas.get(prefs.activePersonaId));
    if (!active && backup.activePersonaId && (await db.personas.get(backup.activePersonaId))) {
      await updatePreferences(db, { activePersonaId: backup.activePersonaId });
    }
    return { personas, history, sites: backup.sites.length, votes, preferences: backup.preferences !== undefined };
  });
}
