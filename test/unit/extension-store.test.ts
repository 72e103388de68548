import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, SCHEMA, type ZippDb } from '../../extension/lib/store/db.ts';
import { deletePersona, listPersonas, personaForSite, savePersona, setActivePersona } from '../../extension/lib/store/personas.ts';
import { getPreferences, updatePreferences } from '../../extension/lib/store/preferences.ts';
import { addHistory, recentHistory } from '../../extension/lib/store/history.ts';
import { lastRewrite, logRewrite, setRewriteOutcome } from '../../extension/lib/store/rewrites.ts';
import { getSite, updateSite } from '../../extension/lib/store/sites.ts';
import { BackupError, exportBackup, importBackup, parseBackup } from '../../extension/lib/store/backup.ts';
import { HISTORY_PER_SITE } from '../../extension/lib/store/records.ts';
import { addVote, listVotes, personaHelp } from '../../extension/lib/store/votes.ts';

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
    await updatePreferences(db, { candidates: 'persona-vs-persona', comparePersonaId: a.id });
    await deletePersona(db, b.id);
    expect((await getPreferences(db)).activePersonaId).toBe(a.id);
    expect((await getPreferences(db)).comparePersonaId).toBe(a.id);
    // The second persona of two candidates goes with it (the select would show "Pick one…" over a dead id).
    const c = await savePersona(db, { name: 'Potter', text: 'You throw pots.', source: 'manual' });
    await updatePreferences(db, { comparePersonaId: c.id });
    await deletePersona(db, c.id);
    expect((await getPreferences(db)).comparePersonaId).toBeUndefined();
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
    expect(summary).toEqual({ personas: 1, history: 1, sites: 1, votes: 0, preferences: true });
    expect((await getPreferences(dst)).activePersonaId).toBe(p.id);
    expect(await recentHistory(dst, 'ideogram.ai', 5)).toEqual(['a lighthouse at dusk']);
    // Importing the same file again adds nothing.
    expect(await importBackup(dst, parseBackup(file))).toEqual({ personas: 0, history: 0, sites: 1, votes: 0, preferences: true });
  });

  const vote = (over: Partial<Parameters<typeof addVote>[1]> = {}): Parameters<typeof addVote>[1] => ({
    site: 'ideogram.ai', mode: 'persona-vs-none', a: 'persona', b: 'no persona', aPersonaId: 'p1', bPersonaId: null,
    winner: 'a', first: 'a', logIds: [1, 2], ...over,
  });

  it('carries the votes (two-candidates picks) and the preferences: “Does my persona help me?” reads the same in the other browser', async () => {
    const src = freshDb();
    const p = await savePersona(src, { name: 'Film', text: 'You shoot film.', source: 'manual' });
    const q = await savePersona(src, { name: 'Garden', text: 'You grow tomatoes.', source: 'manual' });
    for (const [i, winner] of (['a', 'a', 'b', 'a'] as const).entries()) {
      await addVote(src, vote({ aPersonaId: p.id, winner, first: i % 2 ? 'b' : 'a', logIds: [2 * i + 1, 2 * i + 2] }));
    }
    await addVote(src, vote({ site: 'civitai.com', mode: 'persona-vs-persona', a: 'Film', b: 'Garden', aPersonaId: p.id, bPersonaId: q.id, winner: 'b', logIds: [9, 10] }));
    await updatePreferences(src, { candidates: 'persona-vs-persona', comparePersonaId: q.id, strength: 'strong', fewShotK: 5, method: 'persona' });
    const file = JSON.stringify(await exportBackup(src));
    // The rewrite log stays behind, and so do the vote rows' pointers into it.
    expect(file).not.toMatch(/logIds/);

    const dst = freshDb();
    await updatePreferences(dst, { onboarded: true, strength: 'subtle' });
    expect(await importBackup(dst, parseBackup(file))).toMatchObject({ personas: 2, votes: 5, preferences: true });
    const strip = (vs: Awaited<ReturnType<typeof listVotes>>) => vs.map(({ id: _id, logIds: _l, ...v }) => v);
    expect(strip(await listVotes(dst))).toEqual(strip(await listVotes(src)));
    expect((await listVotes(dst)).every((v) => v.logIds === undefined)).toBe(true);
    expect(personaHelp(await listVotes(dst))).toEqual(personaHelp(await listVotes(src)));
    expect(await getPreferences(dst)).toMatchObject({ candidates: 'persona-vs-persona', comparePersonaId: q.id, strength: 'strong', fewShotK: 5, method: 'persona', onboarded: true });
    // Again: the same votes are not counted twice.
    expect(await importBackup(dst, parseBackup(file))).toMatchObject({ votes: 0 });
    expect(await dst.votes.count()).toBe(5);
  });

  it('keeps two equal picks made in the same millisecond as two votes, and still adds none on re-import', async () => {
    const src = freshDb();
    const p = await savePersona(src, { name: 'Film', text: 'You shoot film.', source: 'manual' });
    await addVote(src, vote({ aPersonaId: p.id }));
    const backup = await exportBackup(src);
    const file = JSON.stringify({ ...backup, votes: [backup.votes[0], backup.votes[0]] });
    const dst = freshDb();
    expect(await importBackup(dst, parseBackup(file))).toMatchObject({ votes: 2 });
    expect(await importBackup(dst, parseBackup(file))).toMatchObject({ votes: 0 });
    expect(await dst.votes.count()).toBe(2);
  });

  it('imports a backup written before votes and preferences were in the file, and keeps this browser’s preferences', async () => {
    const dst = freshDb();
    await updatePreferences(dst, { strength: 'subtle', candidates: 'persona-vs-none' });
    await addVote(dst, vote());
    const t = '2025-03-01T09:00:00.000Z';
    const old = {
      format: 'zipp-extension-backup', version: 1, exportedAt: t, activePersonaId: 'p-old',
      personas: [{ id: 'p-old', name: 'Old', text: 'You were here first.', source: 'manual', createdAt: t, updatedAt: t }],
      history: [{ site: 'ideogram.ai', prompt: 'a red barn', createdAt: t }],
      sites: [{ host: 'ideogram.ai', capture: true }],
    };
    expect(await importBackup(dst, parseBackup(JSON.stringify(old)))).toEqual({ personas: 1, history: 1, sites: 1, votes: 0, preferences: false });
    expect(await getPreferences(dst)).toMatchObject({ strength: 'subtle', candidates: 'persona-vs-none', activePersonaId: 'p-old' });
    expect(await dst.votes.count()).toBe(1);
  });

  it('refuses a file with a bad vote, naming the field and the fix, and imports nothing from it', async () => {
    const src = freshDb();
    await savePersona(src, { name: 'Film', text: 'You shoot film.', source: 'manual' });
    await addVote(src, vote());
    await addVote(src, vote({ winner: 'b' }));
    const backup = await exportBackup(src);
    const dst = freshDb();
    const mine = await savePersona(dst, { name: 'Mine', text: 'You are mine.', source: 'manual' });
    const bad = (change: (votes: Record<string, unknown>[]) => void): string => {
      const copy = structuredClone(backup) as unknown as { votes: Record<string, unknown>[] };
      change(copy.votes);
      return JSON.stringify(copy);
    };
    const problems = (text: string) => {
      try {
        parseBackup(text);
      } catch (err) {
        expect(err).toBeInstanceOf(BackupError);
        return (err as BackupError).problems.join('\n');
      }
      return expect.unreachable('the file was accepted');
    };
    expect(problems(bad((v) => (v[1]!.winner = 'persona')))).toMatch(/^votes\[1\]\.winner: must be "a" \(the site's persona\) or "b"/);
    expect(problems(bad((v) => delete v[0]!.site))).toMatch(/^votes\[0\]\.site: must be the site's host/);
    expect(problems(bad((v) => (v[0]!.createdAt = 'last week')))).toMatch(/^votes\[0\]\.createdAt: must be an ISO date-time/);
    expect(problems(bad((v) => (v[0]!.mode = 'one')))).toMatch(/^votes\[0\]\.mode: must be "persona-vs-none" or "persona-vs-persona"/);
    expect(problems(bad((v) => (v[1]!.a = 'no persona')))).toMatch(/^votes\[1\]: a persona-vs-none vote has a = "persona", b = "no persona".*set mode to "persona-vs-persona"/);
    expect(problems(JSON.stringify({ ...backup, votes: { a: 1 } }))).toMatch(/^votes: /);
    // Nothing of a refused file reached the database; what was there is untouched.
    expect((await listPersonas(dst)).map((p) => p.id)).toEqual([mine.id]);
    expect(await dst.votes.count()).toBe(0);
  });

  it('imports all or nothing: a failure while writing the votes leaves no persona, prompt or site of the file behind', async () => {
    const src = freshDb();
    await savePersona(src, { name: 'Film', text: 'You shoot film.', source: 'manual' });
    await addHistory(src, 'ideogram.ai', 'a lighthouse at dusk');
    await updateSite(src, 'ideogram.ai', { capture: true });
    await addVote(src, vote());
    const file = parseBackup(JSON.stringify(await exportBackup(src)));
    const dst = freshDb();
    // Stands in for the browser failing a write (quota, a closed database) at the last table.
    dst.votes.hook('creating', () => {
      throw new Error('disk full');
    });
    await expect(importBackup(dst, file)).rejects.toThrow(/disk full/);
    expect([await dst.personas.count(), await dst.history.count(), await dst.sites.count(), await dst.votes.count()]).toEqual([0, 0, 0, 0]);
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
