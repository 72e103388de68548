import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, SCHEMA, type ZippDb } from '../../extension/lib/store/db.ts';
import { deletePersona, listPersonas, personaForSite, savePersona, setActivePersona } from '../../extension/lib/store/personas.ts';
import { getPreferences } from '../../extension/lib/store/preferences.ts';
import { addHistory, recentHistory } from '../../extension/lib/store/history.ts';
import { lastRewrite, logRewrite, setRewriteOutcome } from '../../extension/lib/store/rewrites.ts';
import { getSite, updateSite } from '../../extension/lib/store/sites.ts';
import { BackupError, exportBackup, importBackup, parseBackup } from '../../extension/lib/store/backup.ts';
import { HISTORY_PER_SITE } from '../../extension/lib/store/records.ts';

let n = 0;
const opened: Dexie[] = [];
function freshDb(): ZippDb {
  const db = openDb(`zipp-test-${process.pid}-${n++}`);
  opened.push(db);
  return db;
}
afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

describe('extension store: personas', () => {
  it('makes the first persona active, keeps it active when more are added, and moves it on delete', async () => {
    const db = freshDb();
    const a = await savePersona(db, { name: 'Film shooter', text: 'You shoot 35mm film.', source: 'manual' });
    expect((await getPreferences(db)).activePersonaId).toBe(a.id);
    const b = await savePersona(db, { name: 'Gardener', text: 'You grow tomatoes.', source: 'manual' });
    expect((await getPreferences(db)).activePersonaId).toBe(a.id);
    await setActivePersona(db, b.id);
    expect((await personaForSite(db, 'example.com'))?.name).toBe('Gardener');
    await deletePersona(db, b.id);
    expect((await getPreferences(db)).activePersonaId).toBe(a.id);
    expect((await listPersonas(db)).map((p) => p.name)).toEqual(['Film shooter']);
  });

  it('rejects an empty persona with the shared schema message', async () => {
    const db = freshDb();
    await expect(savePersona(db, { name: 'x', text: '   ', source: 'manual' })).rejects.toThrow(/persona text is empty/);
  });

  it('prefers a site default over the active persona, and drops the default when that persona goes', async () => {
    const db = freshDb();
    const a = await savePersona(db, { name: 'A', text: 'You are A.', source: 'manual' });
    const b = await savePersona(db, { name: 'B', text: 'You are B.', source: 'manual' });
    await updateSite(db, 'www.midjourney.com', { personaId: b.id });
    expect((await personaForSite(db, 'www.midjourney.com'))?.id).toBe(b.id);
    expect((await personaForSite(db, 'ideogram.ai'))?.id).toBe(a.id);
    await deletePersona(db, b.id);
    expect((await getSite(db, 'www.midjourney.com'))?.personaId).toBeUndefined();
    expect((await personaForSite(db, 'www.midjourney.com'))?.id).toBe(a.id);
  });
});

describe('extension store: history and rewrite log', () => {
  it('returns the newest n prompts oldest first, skips immediate repeats, caps each site', async () => {
    const db = freshDb();
    await addHistory(db, 'a.com', 'one');
    await new Promise((r) => setTimeout(r, 2));
    expect(await addHistory(db, 'a.com', 'one')).toBeUndefined();
    await addHistory(db, 'a.com', 'two');
    await new Promise((r) => setTimeout(r, 2));
    await addHistory(db, 'a.com', 'three');
    await addHistory(db, 'b.com', 'elsewhere');
    expect(await recentHistory(db, 'a.com', 2)).toEqual(['two', 'three']);
    expect(await recentHistory(db, 'b.com', 5)).toEqual(['elsewhere']);

    const base = Date.parse('2024-01-01T00:00:00Z');
    await db.history.bulkAdd(
      Array.from({ length: HISTORY_PER_SITE }, (_, i) => ({
        site: 'c.com',
        prompt: `p${i}`,
        createdAt: new Date(base + i * 1000).toISOString(),
      })),
    );
    await addHistory(db, 'c.com', 'newest');
    expect(await db.history.where('site').equals('c.com').count()).toBe(HISTORY_PER_SITE);
    const kept = await recentHistory(db, 'c.com', HISTORY_PER_SITE);
    expect(kept[0]).toBe('p1');
    expect(kept.at(-1)).toBe('newest');
  });

  it('logs a rewrite as pending and records what the person did with it', async () => {
    const db = freshDb();
    const id = await logRewrite(db, {
      site: 'chatgpt.com', base: 'a cat', rewritten: 'a cat on film', personaId: null,
      method: 'persona', model: 'm', guard: 'passed',
    });
    expect((await lastRewrite(db))?.outcome).toBe('pending');
    await setRewriteOutcome(db, id, 'undone');
    expect((await lastRewrite(db))?.outcome).toBe('undone');
    await expect(setRewriteOutcome(db, 999, 'accepted')).rejects.toThrow(/no rewrite/);
  });
});

describe('extension store: migration from schema v1', () => {
  it('moves site switches, the active flag and rewrite booleans into the v2 layout, then adds v3’s votes table', async () => {
    const name = `zipp-migrate-${process.pid}`;
    const v1 = new Dexie(name);
    v1.version(1).stores(SCHEMA[1]);
    const t = '2024-05-01T10:00:00.000Z';
    await v1.table('personas').bulkAdd([
      { id: 'p1', name: 'One', text: 'You are one.', source: 'manual', createdAt: t, updatedAt: t },
      { id: 'p2', name: 'Two', text: 'You are two.', source: 'manual', createdAt: t, updatedAt: t, active: true },
    ]);
    await v1.table('settings').bulkAdd([
      { key: 'sites', value: { 'chatgpt.com': { enabled: false }, 'example.org': { enabled: true, capture: true } } },
      { key: 'preferences', value: { fewShotK: 2 } },
    ]);
    await v1.table('rewrites').bulkAdd([
      { site: 'a', base: 'x', rewritten: 'y', personaId: 'p2', method: 'persona', model: 'm', createdAt: t, accepted: true, undone: false },
      { site: 'a', base: 'x', rewritten: 'y', personaId: 'p2', method: 'persona', model: 'm', createdAt: t, accepted: true, undone: true },
      { site: 'a', base: 'x', rewritten: 'y', personaId: 'p2', method: 'persona', model: 'm', createdAt: t, accepted: false, undone: false },
    ]);
    v1.close();

    const db = openDb(name);
    opened.push(db);
    await db.open();
    expect(db.verno).toBe(3);
    expect(await db.votes.count()).toBe(0);
    expect(await db.sites.toArray()).toEqual([
      { host: 'chatgpt.com', enabled: false, capture: false },
      { host: 'example.org', enabled: true, capture: true },
    ]);
    expect(await db.settings.get('sites')).toBeUndefined();
    const prefs = await getPreferences(db);
    expect(prefs.activePersonaId).toBe('p2');
    expect(prefs.fewShotK).toBe(2);
    expect((await db.personas.get('p2')) as unknown).not.toHaveProperty('active');
    expect((await db.rewrites.toArray()).map((r) => r.outcome)).toEqual(['accepted', 'undone', 'discarded']);
    expect(await db.rewrites.where('outcome').equals('undone').count()).toBe(1);
  });
});

describe('extension store: import and export', () => {
  it('round-trips personas, history and site switches into another database', async () => {
    const src = freshDb();
    const p = await savePersona(src, { name: 'Film', text: 'You shoot film.', source: 'manual' });
    await addHistory(src, 'ideogram.ai', 'a lighthouse at dusk');
    await updateSite(src, 'ideogram.ai', { capture: true });
    const file = JSON.stringify(await exportBackup(src));

    const dst = freshDb();
    const summary = await importBackup(dst, parseBackup(file));
    expect(summary).toEqual({ personas: 1, history: 1, sites: 1 });
    expect((await getPreferences(dst)).activePersonaId).toBe(p.id);
    expect(await recentHistory(dst, 'ideogram.ai', 5)).toEqual(['a lighthouse at dusk']);
    // Importing the same file again adds nothing.
    expect(await importBackup(dst, parseBackup(file))).toEqual({ personas: 0, history: 0, sites: 1 });
  });

  it('names each invalid field with its path', () => {
    expect(() => parseBackup('{nope')).toThrow(/not JSON/);
    expect(() => parseBackup(JSON.stringify({ format: 'other', version: 1, exportedAt: new Date().toISOString() }))).toThrow(
      /not a ZIPP backup/,
    );
    const bad = {
      format: 'zipp-extension-backup', version: 1, exportedAt: new Date().toISOString(),
      personas: [{ id: 'x', name: '', text: 'You.', source: 'manual', createdAt: 'yesterday', updatedAt: new Date().toISOString() }],
    };
    try {
      parseBackup(JSON.stringify(bad));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BackupError);
      const problems = (err as BackupError).problems.join('\n');
      expect(problems).toMatch(/personas\[0\]\.name: give the persona a name/);
      expect(problems).toMatch(/personas\[0\]\.createdAt/);
    }
  });
});
