import type { Interaction } from '../../../shared/graph/bipartite.ts';
import { queryRows, sqlString, withDuckDb } from './duckdb.ts';
import { ACTIVITY_TABLE_SQL, readSource, type SourceStats } from './sources.ts';
import { InputError } from '../../../shared/errors.ts';
import { parseCommunityRecords, type CommunityTable } from '../../../shared/community/records.ts';
import { readUtf8File } from '../../runtime/text-file.ts';
import { REDDIT_NAME_SQL } from '../../../shared/community/name.ts';

/**
 * Raw activity → the filtered, aggregated user–community graph, in DuckDB (out of core, parallel; the
 * SQL is plain enough to run on a distributed engine when one machine is not enough).
 *
 * Filters, in order: malformed records (counted; the run fails past `maxErrorRate`), bots / AutoModerator /
 * [deleted] authors, NSFW communities (the communities file's `over18`, or a majority of `over_18` posts in
 * the dump), invalid community names, long-tail communities (total activity below `minCommunityActivity`
 * or fewer than `minCommunityUsers` users), then users with fewer than `minUserDegree` communities.
 */
export interface IngestOptions {
  inputs: string[];
  /** communities.jsonl (`name`, `over18`, …): NSFW flags for the filter. */
  communities?: string;
  /** User name given to a Reddit data export's rows. */
  exportUser?: string;
  keepBots?: boolean;
  keepNsfw?: boolean;
  /**
   * Apply Reddit's subreddit name rule to every source. By default it applies only to Reddit sources
   * (exports, Pushshift / Arctic-Shift dumps, CSVs with a subreddit column); other user–community data
   * (Last.fm artists…) keeps its names, normalised for matching with the spelling kept as the label.
   */
  redditNames?: boolean;
  minUserDegree?: number;
  minCommunityUsers?: number;
  minCommunityActivity?: number;
  /** Share of malformed records tolerated per input before the run fails (default 1%). */
  maxErrorRate?: number;
}

export interface IngestReport {
  sources: SourceStats[];
  raw: { users: number; communities: number; edges: number };
  bots: { users: number; edges: number };
  nsfw: { communities: number; edges: number };
  invalidNames: { communities: number; edges: number };
  pruned: { communities: number; edges: number; activityShare: number };
  lowDegreeUsers: number;
  final: { users: number; communities: number; edges: number; activity: number };
}

export interface IngestResult {
  interactions: Interaction[];
  /** The communities file's records (read once, through the shared reader), when one was given. */
  records?: CommunityTable;
  /** Normalised name → display spelling seen in the data. */
  labels: Map<string, string>;
  report: IngestReport;
}

/** Input files that cannot be read as interactions or communities (the message names the file and the fix). */
export class IngestError extends InputError {}

/** normalizeCommunityName (shared/community/name.ts) in SQL: trim, no r/ prefix, runs of spaces as one, lower case. */
const NORMALISED_SQL = `lower(regexp_replace(regexp_replace(trim(community), '^/?r/', '', 'i'), '\\s+', ' ', 'g'))`;

export const BOT_AUTHORS = ['[deleted]', '[removed]', 'AutoModerator'];
/** Authors ending in "bot" (RemindMeBot, WikiTextBot, …): a heuristic, switched off with keepBots. */
const BOT_PATTERN = '(?i)bot$';

export async function ingest(options: IngestOptions): Promise<IngestResult> {
  if (options.inputs.length === 0) throw new IngestError('no input given; pass --interactions FILE (CSV, JSONL, NDJSON(.zst) or a Reddit export folder)');
  const maxErrorRate = options.maxErrorRate ?? 0.01;
  // A communities file that is not community records fails here, before any input is read.
  const records = options.communities ? parseCommunityRecords(readUtf8File(options.communities), options.communities) : undefined;
  return withDuckDb(async (db) => {
    await db.run(ACTIVITY_TABLE_SQL);
    const sources: SourceStats[] = [];
    for (const [i, input] of options.inputs.entries()) {
      let stats: SourceStats[];
      try {
        stats = await readSource(db, input, i, { exportUser: options.exportUser ?? 'me' });
      } catch (err) {
        if (err instanceof InputError) throw err;
        // A reader's own failure (DuckDB's words): say which file it was about.
        const line = oneLine(err);
        throw new IngestError(line.includes(input) ? line : `${input}: ${line}; check that the file is CSV or NDJSON as its name says`);
      }
      for (const s of stats) {
        const rate = s.records > 0 ? s.malformed / s.records : 0;
        if (rate > maxErrorRate) {
          throw new IngestError(
            `${s.path}: ${s.malformed} of ${s.records} records are malformed (${(rate * 100).toFixed(1)}% > ${(maxErrorRate * 100).toFixed(1)}%), e.g. line${s.malformedLines.length === 1 ? '' : 's'} ${s.malformedLines.slice(0, 5).join(', ') || '?'}${s.reasons[0] ? ` (${s.reasons[0]})` : ''}; fix the file or raise --max-error-rate`,
          );
        }
      }
      sources.push(...stats);
    }

    await db.run(`CREATE TEMP TABLE edges AS
      SELECT "user", ${NORMALISED_SQL} AS community, min(trim(community)) AS label,
        sum(posts) AS posts, sum(comments) AS comments, sum(nsfw_posts) AS nsfw_posts, sum(flagged_posts) AS flagged_posts,
        bool_or(reddit) AS reddit
      FROM activity GROUP BY 1, 2 HAVING sum(posts) + sum(comments) > 0`);
    const count = async (where = 'TRUE') =>
      (await queryRows<{ users: number; communities: number; edges: number }>(
        db,
        `SELECT count(DISTINCT "user") AS users, count(DISTINCT community) AS communities, count(*) AS edges FROM edges WHERE ${where}`,
      ))[0]!;
    const raw = await count();

    const botWhere = `"user" IN (${BOT_AUTHORS.map(sqlString).join(', ')}) OR regexp_matches("user", '${BOT_PATTERN}')`;
    const bots = options.keepBots ? { users: 0, edges: 0 } : await count(botWhere);
    if (!options.keepBots) await db.run(`DELETE FROM edges WHERE ${botWhere}`);

    await db.run(`CREATE TEMP TABLE nsfw (community VARCHAR)`);
    if (!options.keepNsfw) {
      const flagged = records?.nsfw() ?? [];
      for (let i = 0; i < flagged.length; i += 1000) {
        await db.run(`INSERT INTO nsfw VALUES ${flagged.slice(i, i + 1000).map((n) => `(${sqlString(n)})`).join(', ')}`);
      }
      await db.run(`INSERT INTO nsfw SELECT community FROM edges GROUP BY community
        HAVING sum(flagged_posts) > 0 AND 2 * sum(nsfw_posts) > sum(flagged_posts)`);
    }
    const nsfw = await count('community IN (SELECT community FROM nsfw)');
    await db.run(`DELETE FROM edges WHERE community IN (SELECT community FROM nsfw)`);

    const invalidWhere = `${options.redditNames ? 'TRUE' : 'reddit'} AND NOT regexp_matches(community, '${REDDIT_NAME_SQL}')`;
    const invalid = await count(invalidWhere);
    await db.run(`DELETE FROM edges WHERE ${invalidWhere}`);

    const minActivity = options.minCommunityActivity ?? 1;
    const minUsers = options.minCommunityUsers ?? 1;
    const [{ total }] = (await queryRows<{ total: number }>(db, `SELECT coalesce(sum(posts + comments), 0)::DOUBLE AS total FROM edges`)) as [{ total: number }];
    await db.run(`CREATE TEMP TABLE pruned AS SELECT community, sum(posts + comments)::DOUBLE AS activity FROM edges GROUP BY community
      HAVING sum(posts + comments) < ${Number(minActivity)} OR count(*) < ${Number(minUsers)}`);
    const pruned = await count('community IN (SELECT community FROM pruned)');
    const [{ prunedActivity }] = (await queryRows<{ prunedActivity: number }>(db, `SELECT coalesce(sum(activity), 0) AS prunedActivity FROM pruned`)) as [{ prunedActivity: number }];
    await db.run(`DELETE FROM edges WHERE community IN (SELECT community FROM pruned)`);

    const minDegree = options.minUserDegree ?? 1;
    const [{ low }] = (await queryRows<{ low: number }>(
      db,
      `SELECT count(*) AS low FROM (SELECT "user" FROM edges GROUP BY "user" HAVING count(*) < ${Number(minDegree)})`,
    )) as [{ low: number }];
    await db.run(`DELETE FROM edges WHERE "user" IN (SELECT "user" FROM edges GROUP BY "user" HAVING count(*) < ${Number(minDegree)})`);

    const rows = await queryRows<{ user: string; community: string; label: string; posts: number; comments: number }>(
      db,
      `SELECT "user", community, label, posts::DOUBLE AS posts, comments::DOUBLE AS comments FROM edges ORDER BY "user", community`,
    );
    const labels = new Map<string, string>();
    for (const r of rows) if (!labels.has(r.community)) labels.set(r.community, r.label);
    const final = await count();
    const finalActivity = rows.reduce((s, r) => s + r.posts + r.comments, 0);
    if (rows.length === 0) {
      throw new IngestError(
        `the graph is empty after filtering (${raw.edges} edges read; ${bots.edges} from bots, ${nsfw.edges} in NSFW communities, ${pruned.edges} in pruned communities); lower --min-community-users / --min-community-activity or check the input`,
      );
    }
    return {
      interactions: rows.map((r) => ({ user: r.user, community: r.community, posts: r.posts, comments: r.comments })),
      labels,
      ...(records ? { records } : {}),
      report: {
        sources,
        raw,
        bots: { users: bots.users, edges: bots.edges },
        nsfw: { communities: nsfw.communities, edges: nsfw.edges },
        invalidNames: { communities: invalid.communities, edges: invalid.edges },
        pruned: { communities: pruned.communities, edges: pruned.edges, activityShare: total > 0 ? prunedActivity / total : 0 },
        lowDegreeUsers: low,
        final: { ...final, activity: finalActivity },
      },
    };
  });
}

/** Writes edges as the CSV every reader here accepts: user,community,posts,comments (quoted where needed). */
export function interactionsCsv(rows: readonly Interaction[], labels?: ReadonlyMap<string, string>): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = rows.map((r) => `${quote(r.user)},${quote(labels?.get(r.community) ?? r.community)},${r.posts},${r.comments}`);
  return ['user,community,posts,comments', ...lines].join('\n') + '\n';
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** A short human summary of a report, one fact per line. */
export function describeReport(r: IngestReport): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = r.sources.map(
    (s) =>
      `${s.path}: ${n(s.records)} records${s.malformed ? `, ${n(s.malformed)} malformed (line${s.malformedLines.length === 1 ? '' : 's'} ${s.malformedLines.slice(0, 10).join(', ')}${s.malformed > 10 ? ', …' : ''})` : ''}`,
  );
  lines.push(`read ${n(r.raw.edges)} user–community edges: ${n(r.raw.users)} users, ${n(r.raw.communities)} communities`);
  if (r.bots.edges) lines.push(`dropped ${n(r.bots.users)} bot / deleted authors (${n(r.bots.edges)} edges)`);
  if (r.nsfw.edges) lines.push(`dropped ${n(r.nsfw.communities)} NSFW communities (${n(r.nsfw.edges)} edges)`);
  if (r.invalidNames.edges) lines.push(`dropped ${n(r.invalidNames.communities)} communities with invalid names (${n(r.invalidNames.edges)} edges)`);
  if (r.pruned.communities) {
    lines.push(`pruned ${n(r.pruned.communities)} long-tail communities (${n(r.pruned.edges)} edges, ${(r.pruned.activityShare * 100).toFixed(2)}% of activity)`);
  }
  if (r.lowDegreeUsers) lines.push(`dropped ${n(r.lowDegreeUsers)} users below the minimum degree`);
  lines.push(`graph: ${n(r.final.users)} users, ${n(r.final.communities)} communities, ${n(r.final.edges)} edges`);
  return lines;
}
