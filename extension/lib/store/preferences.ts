import { Preferences } from './records.ts';
import type { ZippDb } from './db.ts';

const KEY = 'preferences';

/** The stored preferences with defaults filled in (a damaged row falls back to the defaults). */
export async function getPreferences(db: ZippDb): Promise<Preferences> {
  const row = await db.settings.get(KEY);
  const parsed = Preferences.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : Preferences.parse({});
}

export async function updatePreferences(db: ZippDb, patch: Partial<Preferences>): Promise<Preferences> {
  return db.transaction('rw', db.settings, async () => {
    const next = Preferences.parse({ ...(await getPreferences(db)), ...patch });
    await db.settings.put({ key: KEY, value: next });
    return next;
  });
}
