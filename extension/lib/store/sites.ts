import { SiteRecord } from './records.ts';
import type { ZippDb } from './db.ts';

export async function getSite(db: ZippDb, host: string): Promise<SiteRecord | undefined> {
  return db.sites.get(host);
}

export async function listSites(db: ZippDb): Promise<SiteRecord[]> {
  return db.sites.orderBy('host').toArray();
}

/** Merges `patch` into the site's row (creating it). `personaId: undefined` clears the site default. */
export async function updateSite(
  db: ZippDb,
  host: string,
  patch: Partial<Omit<SiteRecord, 'host'>>,
): Promise<SiteRecord> {
  return db.transaction('rw', db.sites, async () => {
    const merged: Record<string, unknown> = { ...(await db.sites.get(host)), ...patch, host };
    for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
    const next = SiteRecord.parse(merged);
    await db.sites.put(next);
    return next;
  });
}

export async function removeSite(db: ZippDb, host: string): Promise<void> {
  await db.sites.delete(host);
}
