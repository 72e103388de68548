import { RewriteRecord, type RewriteOutcome } from './records.ts';
import type { ZippDb } from './db.ts';

export async function logRewrite(db: ZippDb, entry: Omit<RewriteRecord, 'id' | 'createdAt' | 'outcome'>): Promise<number> {
  const row = RewriteRecord.parse({ ...entry, outcome: 'pending', createdAt: new Date().toISOString() });
  return (await db.rewrites.add(row)) as number;
}

export async function setRewriteOutcome(db: ZippDb, id: number, outcome: RewriteOutcome): Promise<void> {
  const changed = await db.rewrites.update(id, { outcome });
  if (!changed && !(await db.rewrites.get(id))) throw new Error(`no rewrite with id ${id}`);
}

export async function listRewrites(db: ZippDb, limit = 100): Promise<RewriteRecord[]> {
  return db.rewrites.orderBy('createdAt').reverse().limit(limit).toArray();
}

export async function lastRewrite(db: ZippDb): Promise<RewriteRecord | undefined> {
  return db.rewrites.orderBy('createdAt').last();
}
