import { useLiveQuery } from 'dexie-react-hooks';
import { openDb, type ZippDb } from '../../lib/store/db.ts';

let shared: ZippDb | undefined;

/** The extension pages' one connection to the IndexedDB store (same origin as the background's). */
export function pageDb(): ZippDb {
  shared ??= openDb();
  return shared;
}

/**
 * The result of a Dexie query on the page's store, re-run whenever the tables it read change — in this
 * page or in another extension context (Dexie broadcasts changes between them): dexie-react-hooks'
 * `useLiveQuery`. A failed query is logged and reads as undefined (the page shows its empty state)
 * instead of throwing out of the render.
 */
export function useLive<T>(query: (db: ZippDb) => Promise<T>, deps: unknown[] = []): T | undefined {
  return useLiveQuery(
    () =>
      query(pageDb()).catch((err: unknown) => {
        console.error('ZIPP store query failed', err);
        return undefined;
      }),
    deps,
  );
}
