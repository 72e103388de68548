import { Persona, type PersonaEvidence, type PersonaSource } from '../../../shared/schemas/persona.ts';
import type { ZippDb } from './db.ts';
import { getPreferences, updatePreferences } from './preferences.ts';

export interface PersonaDraft {
  id?: string;
  name: string;
  text: string;
  source: PersonaSource;
  evidence?: PersonaEvidence;
}

/** Newest first. */
export async function listPersonas(db: ZippDb): Promise<Persona[]> {
  return (await db.personas.orderBy('updatedAt').reverse().toArray()).map((p) => Persona.parse(p));
}

/**
 * Creates or updates a persona (validated with the shared schema). The first persona saved becomes the
 * active one, so a person who makes one persona never has to pick it.
 */
export async function savePersona(db: ZippDb, draft: PersonaDraft): Promise<Persona> {
  return db.transaction('rw', db.personas, db.settings, async () => {
    const now = new Date().toISOString();
    const existing = draft.id ? await db.personas.get(draft.id) : undefined;
    const persona = Persona.parse({
      id: draft.id ?? crypto.randomUUID(),
      name: draft.name,
      text: draft.text,
      source: draft.source,
      ...(draft.evidence ? { evidence: draft.evidence } : existing?.evidence ? { evidence: existing.evidence } : {}),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    await db.personas.put(persona);
    const prefs = await getPreferences(db);
    if (!prefs.activePersonaId || !(await db.personas.get(prefs.activePersonaId))) {
      await updatePreferences(db, { activePersonaId: persona.id });
    }
    return persona;
  });
}

/** Deletes a persona and every reference to it (active persona, second persona of two candidates, per-site defaults). */
export async function deletePersona(db: ZippDb, id: string): Promise<void> {
  await db.transaction('rw', db.personas, db.settings, db.sites, async () => {
    await db.personas.delete(id);
    const prefs = await getPreferences(db);
    if (prefs.activePersonaId === id) {
      const next = await db.personas.orderBy('updatedAt').last();
      await updatePreferences(db, { activePersonaId: next?.id });
    }
    if (prefs.comparePersonaId === id) await updatePreferences(db, { comparePersonaId: undefined });
    await db.sites
      .filter((s) => s.personaId === id)
      .modify((s) => {
        delete s.personaId;
      });
  });
}

export async function setActivePersona(db: ZippDb, id: string): Promise<void> {
  if (!(await db.personas.get(id))) throw new Error(`no persona with id ${id}`);
  await updatePreferences(db, { activePersonaId: id });
}

/** The persona rewrites on `host` use: the site's own default, else the active one, else none. */
export async function personaForSite(db: ZippDb, host: string): Promise<Persona | undefined> {
  const site = await db.sites.get(host);
  const prefs = await getPreferences(db);
  for (const id of [site?.personaId, prefs.activePersonaId]) {
    const found = id ? await db.personas.get(id) : undefined;
    if (found) return found;
  }
  return undefined;
}
