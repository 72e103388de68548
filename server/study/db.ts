import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { privateSqliteFile } from '../db/database.ts';
import type { Usage } from '../../shared/schemas/llm.ts';

/**
 * A/B study records in `<data dir>/study.db` (SQLite, WAL): participants with their questionnaire
 * answers and persona, and their trials — what was shown on each side (arm, rewritten prompt, image
 * key) and what they picked. A trial row is written when the participant joins (the plan), filled in
 * when its images are ready, and its choice recorded once; the arms' labels are stored with it so the
 * results never depend on a study file that may have changed since.
 */
export interface ParticipantRow {
  id: string;
  study: string;
  answers: unknown;
  persona: string;
  personaModel: string;
  usage: Usage;
  createdAt: string;
  finishedAt: string | null;
}

export interface TrialRow {
  participant: string;
  idx: number;
  condition: string;
  aLabel: string;
  bLabel: string;
  prompt: string;
  left: 'a' | 'b';
  seed: number;
  aPrompt: string | null;
  bPrompt: string | null;
  aImage: string | null;
  bImage: string | null;
  /** Opaque ids the participant's page gets for the two images (random per trial, never a content hash). */
  aRef: string | null;
  bRef: string | null;
  choice: 'left' | 'right' | null;
  winner: 'a' | 'b' | null;
  shownAt: string | null;
  chosenAt: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS participants (
  id TEXT PRIMARY KEY, study TEXT NOT NULL, answers TEXT NOT NULL, persona TEXT NOT NULL, persona_model TEXT NOT NULL,
  usage TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT);
CREATE INDEX IF NOT EXISTS participants_by_study ON participants (study, created_at);
CREATE TABLE IF NOT EXISTS trials (
  participant TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
  condition TEXT NOT NULL, a_label TEXT NOT NULL, b_label TEXT NOT NULL, prompt TEXT NOT NULL,
  left_arm TEXT NOT NULL CHECK (left_arm IN ('a','b')), seed INTEGER NOT NULL,
  a_prompt TEXT, b_prompt TEXT, a_image TEXT, b_image TEXT, a_ref TEXT, b_ref TEXT,
  choice TEXT CHECK (choice IN ('left','right')), winner TEXT CHECK (winner IN ('a','b')),
  shown_at TEXT, chosen_at TEXT,
  PRIMARY KEY (participant, idx)) WITHOUT ROWID;
`;

type Raw = Record<string, unknown>;

/** An unguessable id for one image of one trial: it reveals nothing about the arm, the prompt or the picture. */
const newImageRef = () => `img_${randomBytes(16).toString('hex')}`;
const trialOf = (r: Raw): TrialRow => ({
  participant: r.participant as string,
  idx: r.idx as number,
  condition: r.condition as string,
  aLabel: r.a_label as string,
  bLabel: r.b_label as string,
  prompt: r.prompt as string,
  left: r.left_arm as 'a' | 'b',
  seed: r.seed as number,
  aPrompt: r.a_prompt as string | null,
  bPrompt: r.b_prompt as string | null,
  aImage: r.a_image as string | null,
  bImage: r.b_image as string | null,
  aRef: (r.a_ref as string | null) ?? null,
  bRef: (r.b_ref as string | null) ?? null,
  choice: r.choice as TrialRow['choice'],
  winner: r.winner as TrialRow['winner'],
  shownAt: r.shown_at as string | null,
  chosenAt: r.chosen_at as string | null,
});

export class StudyDb {
  readonly db: Database.Database;

  constructor(path: string, options: { readonly?: boolean } = {}) {
    if (!options.readonly) privateSqliteFile(path);
    this.db = new Database(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
      // Databases from before per-trial image ids: add the columns (refs are filled in when a trial is next shown).
      const columns = (this.db.prepare('PRAGMA table_info(trials)').all() as { name: string }[]).map((c) => c.name);
      if (!columns.includes('a_ref')) this.db.exec('ALTER TABLE trials ADD COLUMN a_ref TEXT; ALTER TABLE trials ADD COLUMN b_ref TEXT;');
    }
  }

  addParticipant(
    p: Omit<ParticipantRow, 'finishedAt'>,
    trials: Omit<TrialRow, 'participant' | 'aPrompt' | 'bPrompt' | 'aImage' | 'bImage' | 'aRef' | 'bRef' | 'choice' | 'winner' | 'shownAt' | 'chosenAt'>[],
  ): void {
    const insertP = this.db.prepare('INSERT INTO participants (id, study, answers, persona, persona_model, usage, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertT = this.db.prepare('INSERT INTO trials (participant, idx, condition, a_label, b_label, prompt, left_arm, seed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      insertP.run(p.id, p.study, JSON.stringify(p.answers), p.persona, p.personaModel, JSON.stringify(p.usage), p.createdAt);
      for (const t of trials) insertT.run(p.id, t.idx, t.condition, t.aLabel, t.bLabel, t.prompt, t.left, t.seed);
    })();
  }

  participant(id: string): ParticipantRow | undefined {
    const r = this.db.prepare('SELECT * FROM participants WHERE id = ?').get(id) as Raw | undefined;
    if (!r) return undefined;
    return {
      id: r.id as string,
      study: r.study as string,
      answers: JSON.parse(r.answers as string),
      persona: r.persona as string,
      personaModel: r.persona_model as string,
      usage: JSON.parse(r.usage as string) as Usage,
      createdAt: r.created_at as string,
      finishedAt: r.finished_at as string | null,
    };
  }

  /** Personas of a study's other participants, oldest first (for "other persona" arms). */
  otherPersonas(study: string, except: string): string[] {
    return (this.db.prepare('SELECT persona FROM participants WHERE study = ? AND id != ? ORDER BY created_at, id').all(study, except) as { persona: string }[]).map((r) => r.persona);
  }

  trials(participant: string): TrialRow[] {
    return (this.db.prepare('SELECT * FROM trials WHERE participant = ? ORDER BY idx').all(participant) as Raw[]).map(trialOf);
  }

  trial(participant: string, idx: number): TrialRow | undefined {
    const r = this.db.prepare('SELECT * FROM trials WHERE participant = ? AND idx = ?').get(participant, idx) as Raw | undefined;
    return r ? trialOf(r) : undefined;
  }

  setImages(participant: string, idx: number, a: { prompt: string; image: string }, b: { prompt: string; image: string }): void {
    this.db
      .prepare('UPDATE trials SET a_prompt = ?, b_prompt = ?, a_image = ?, b_image = ?, a_ref = COALESCE(a_ref, ?), b_ref = COALESCE(b_ref, ?) WHERE participant = ? AND idx = ?')
      .run(a.prompt, b.prompt, a.image, b.image, newImageRef(), newImageRef(), participant, idx);
  }

  /** Gives a trial with images but no image ids (stored by an older build) its ids; returns the trial. */
  ensureRefs(participant: string, idx: number): TrialRow | undefined {
    this.db.prepare('UPDATE trials SET a_ref = COALESCE(a_ref, ?), b_ref = COALESCE(b_ref, ?) WHERE participant = ? AND idx = ?').run(newImageRef(), newImageRef(), participant, idx);
    return this.trial(participant, idx);
  }

  /** The image key behind one of a participant's image ids, or undefined. */
  imageByRef(participant: string, ref: string): string | undefined {
    const r = this.db.prepare('SELECT a_ref, b_ref, a_image, b_image FROM trials WHERE participant = ? AND (a_ref = ? OR b_ref = ?)').get(participant, ref, ref) as Raw | undefined;
    if (!r) return undefined;
    return ((r.a_ref === ref ? r.a_image : r.b_image) as string | null) ?? undefined;
  }

  markShown(participant: string, idx: number): void {
    this.db.prepare('UPDATE trials SET shown_at = COALESCE(shown_at, ?) WHERE participant = ? AND idx = ?').run(new Date().toISOString(), participant, idx);
  }

  /** Records a choice once; false when the trial already had one. */
  choose(participant: string, idx: number, choice: 'left' | 'right', winner: 'a' | 'b'): boolean {
    const now = new Date().toISOString();
    const r = this.db
      .prepare('UPDATE trials SET choice = ?, winner = ?, chosen_at = ? WHERE participant = ? AND idx = ? AND choice IS NULL')
      .run(choice, winner, now, participant, idx);
    if (r.changes === 1 && !this.db.prepare('SELECT 1 FROM trials WHERE participant = ? AND choice IS NULL LIMIT 1').get(participant)) {
      this.db.prepare('UPDATE participants SET finished_at = ? WHERE id = ?').run(now, participant);
    }
    return r.changes === 1;
  }

  /** Every decided trial of a study. */
  choices(study: string): { condition: string; aLabel: string; bLabel: string; winner: 'a' | 'b' }[] {
    return (
      this.db
        .prepare('SELECT t.condition, t.a_label, t.b_label, t.winner FROM trials t JOIN participants p ON p.id = t.participant WHERE p.study = ? AND t.winner IS NOT NULL ORDER BY p.created_at, t.idx')
        .all(study) as Raw[]
    ).map((r) => ({ condition: r.condition as string, aLabel: r.a_label as string, bLabel: r.b_label as string, winner: r.winner as 'a' | 'b' }));
  }

  studies(): string[] {
    return (this.db.prepare('SELECT DISTINCT study FROM participants ORDER BY study').all() as { study: string }[]).map((r) => r.study);
  }

  counts(study: string): { participants: number; finished: number } {
    const r = this.db.prepare('SELECT COUNT(*) AS n, COUNT(finished_at) AS f FROM participants WHERE study = ?').get(study) as { n: number; f: number };
    return { participants: r.n, finished: r.f };
  }

  close(): void {
    this.db.close();
  }
}
