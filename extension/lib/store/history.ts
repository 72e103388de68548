import { HISTORY_PER_SITE, HistoryRecord } from './records.ts';
import type { ZippDb } from './db.ts';

/**
 * Keeps one submitted prompt for `site`. The same prompt submitted twice in a row is kept once (sites
 * often re-submit on retry), and each site keeps its newest HISTORY_PER_SITE prompts.
 */
export async function addHistory(db: ZippDb, site: string, prompt: string): Promise<HistoryRecord | undefined> {
  const entry = HistoryRecord.parse({ site, prompt, createdAt: new Date().toISOString() });
  return db.transaction('rw', db.history, async () => {
    const last = await db.history.where('[site+createdAt]').between([site, ''], [site, '\uffff']).last();
    if (last?.prompt === entry.prompt) return undefined;
    const id = await db.history.add(entry);
    const count = await db.history.where('site').equals(site).count();
    if (count > HISTORY_PER_SITE) {
      const old = await db.history
        .where('[site+createdAt]')
        .between([site, ''], [site, '\uffff'])
        .limit(count - HISTORY_PER_SITE)
        .primaryKeys();
      await db.history.bulkDelete(old);
    }
    return { ...entry, id };
  });
}

/** The site's newest `n` prompts, oldest first (the order few-shot examples are given in). */
export async function recentHistory(db: ZippDb, site: string, n: number): Promise<string[]> {
  const rows = await db.history
    .where('[site+createdAt]')
    .between([site, ''], [site, '\uffff'])
    .reverse()
    .limit(n)
    .toArray();
  return rows.reverse().map((r) => r.prompt);
}

export async function listHistory(db: ZippDb, site?: string): Promise<HistoryRecord[]> {
  const rows = site
    ? await db.history.where('[site+createdAt]').between([site, ''], [site, '\uffff']).reverse().toArray()
    : await db.history.orderBy('createdAt').reverse().toArray();
  return rows;
}

export async function deleteHistory(db: ZippDb, ids: number[]): Promise<void> {
  await db.history.bulkDelete(ids);
}
