import { winRates, type WinRate } from '../../../shared/metrics/winrate.ts';
import type { ZippDb } from './db.ts';
import { VoteRecord } from './records.ts';

/**
 * The person's picks between two candidates, and what they add up to: per persona and site, how often the
 * persona's rewrite beat the one without it — n and the exact two-sided binomial p from shared/metrics, as
 * the paper's user study reports it (79% win rate, n = 250), here run by each person on themselves.
 */
export async function addVote(db: ZippDb, vote: Omit<VoteRecord, 'id' | 'createdAt'>): Promise<number> {
  return (await db.votes.add(VoteRecord.parse({ ...vote, createdAt: new Date().toISOString() }))) as number;
}

export async function listVotes(db: ZippDb): Promise<VoteRecord[]> {
  return db.votes.orderBy('createdAt').toArray();
}

/** The arms' names as a vote counts them: the winner's label. */
const comparison = (v: VoteRecord) => ({ a: v.a, b: v.b, winner: v.winner === 'a' ? v.a : v.b });

export interface PersonaHelp extends WinRate {
  personaId: string;
  /** A site, or undefined for the persona over all sites. */
  site?: string;
}

/** Persona vs no persona, per persona over all sites and per persona and site (persona = arm A). */
export function personaHelp(votes: readonly VoteRecord[]): PersonaHelp[] {
  const groups = new Map<string, { personaId: string; site?: string; votes: VoteRecord[] }>();
  for (const v of votes) {
    if (v.mode !== 'persona-vs-none') continue;
    for (const site of [undefined, v.site]) {
      const key = JSON.stringify([v.aPersonaId, site ?? null]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { personaId: v.aPersonaId, ...(site ? { site } : {}), votes: [] }));
      g.votes.push(v);
    }
  }
  return [...groups.values()].map((g) => {
    // Oriented persona-first: every vote of this mode names arm A "persona".
    const [row] = winRates(g.votes.map(comparison));
    return { personaId: g.personaId, ...(g.site ? { site: g.site } : {}), ...row! };
  });
}

/** Persona vs persona pairs (labels are the personas' names). */
export function personaVsPersona(votes: readonly VoteRecord[]): WinRate[] {
  return winRates(votes.filter((v) => v.mode === 'persona-vs-persona').map(comparison));
}

const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * The votes as the A/B study's votes file — CSV `a,b,winner` (what `zipp metrics winrate --votes` and the
 * study tooling read) plus mode, site and date. No prompts, rewrites or persona texts: only which kind of
 * rewrite won, so a person can hand the file to a researcher who pools many.
 */
export function votesCsv(votes: readonly VoteRecord[]): string {
  const lines = ['a,b,winner,mode,site,date'];
  for (const v of votes) {
    const c = comparison(v);
    lines.push([c.a, c.b, c.winner, v.mode, v.site, v.createdAt].map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
