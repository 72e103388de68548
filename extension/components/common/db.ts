import { liveQuery } from 'dexie';
import { useEffect, useState } from 'react';
import { openDb, type ZippDb } from '../../lib/store/db.ts';

let shared: ZippDb | undefined;

/** The extension pages' one connection to the IndexedDB store (same origin as the background's). */
export function pageDb(): ZippDb {
  shared ??= openDb();
  return shared;
}

/**
 * The result of a Dexie query, re-run whenever the tables it read change — in this page or in another
 * extension context (Dexie broadcasts changes between them).
 */
export function useLive<T>(query: (db: ZippDb) => Promise<T>, deps: unknown[] = []): T | undefined {
  const [value, setValue] = useState<T>();
  useEffect(() => {
    const sub = liveQuery(() => query(pageDb())).subscribe({
      next: setValue,
      error: (err) => console.error('ZIPP store query failed', err),
    });
    return () => sub.unsubscribe();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return value;
}
