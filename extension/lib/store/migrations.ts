import type { Transaction } from 'dexie';

/**
 * Version 1 → 2.
 * - Per-site switches lived in one `settings` row (`sites: {host: {enabled, capture}}`); they get their own
 *   `sites` table so the popup and the content script can read one site without the whole map.
 * - The active persona was a flag on the persona row (`active: true`); it becomes
 *   `preferences.activePersonaId`, so exactly one can be active.
 * - Rewrite log rows had two booleans (`accepted`, `undone`); they become one `outcome`.
 */
interface V1Site {
  enabled?: boolean;
  capture?: boolean;
}

export async function migrateToV2(tx: Transaction): Promise<void> {
  const settings = tx.table('settings');
  const sitesRow = (await settings.get('sites')) as { value?: Record<string, V1Site> } | undefined;
  const sites = Object.entries(sitesRow?.value ?? {}).map(([host, s]) => ({
    host,
    ...(typeof s.enabled === 'boolean' ? { enabled: s.enabled } : {}),
    capture: s.capture === true,
  }));
  if (sites.length) await tx.table('sites').bulkPut(sites);
  await settings.delete('sites');

  let activeId: string | undefined;
  await tx
    .table('personas')
    .toCollection()
    .modify((p: { id: string; active?: boolean }) => {
      if (p.active && activeId === undefined) activeId = p.id;
      delete p.active;
    });
  const prefsRow = (await settings.get('preferences')) as { value?: Record<string, unknown> } | undefined;
  const prefs = { ...(prefsRow?.value ?? {}) };
  if (activeId !== undefined) prefs.activePersonaId = activeId;
  await settings.put({ key: 'preferences', value: prefs });

  await tx
    .table('rewrites')
    .toCollection()
    .modify((r: { accepted?: boolean; undone?: boolean; outcome?: string }) => {
      r.outcome = r.undone ? 'undone' : r.accepted ? 'accepted' : 'discarded';
      delete r.accepted;
      delete r.undone;
    });
}
