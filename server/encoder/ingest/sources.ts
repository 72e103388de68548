import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { queryRows, sqlString } from './duckdb.ts';
import { InputError } from '../../../shared/errors.ts';
import { checkTextInput } from './file-check.ts';

/**
 * Readers for each input kind, all landing in one DuckDB table
 *   activity(user, community, posts, comments, nsfw_posts, flagged_posts)
 * with raw community spellings (normalised later, in SQL). Each reader counts its records and its
 * malformed ones, with the line numbers of the first few.
 *
 * - csv: aggregated edges `user,community[,posts][,comments]` (aliases: author, subreddit; a `count`
 *   column — or `activity`, `interactions`, `plays` (Last.fm) — counts as comments; with no count columns each
 *   row is one comment).
 * - json: NDJSON / JSONL, plain, .gz or .zst. Either aggregated edges (`user`, `community`, `posts`,
 *   `comments`) or Pushshift / Arctic-Shift dumps (`author`, `subreddit`, with `body` for a comment and
 *   `title` for a post, `over_18` on posts).
 * - reddit-export: a folder from Reddit's "request your data": `comments.csv` and `posts.csv` with a
 *   `subreddit` column; every row belongs to one user (named by `exportUser`).
 */
export type SourceKind = 'csv' | 'json' | 'reddit-export';

export interface SourceStats {
  path: string;
  kind: SourceKind;
  bytes: number;
  records: number;
  malformed: number;
  /** Up to MAX_REPORTED_LINES line numbers (1-based; for JSON, blank lines are not counted). */
  malformedLines: number[];
  /** Why the first malformed records failed, when the reader says. */
  reasons: string[];
}

export const MAX_REPORTED_LINES = 20;

/** `reddit`: the row came from a Reddit source (an export, a dump, a CSV with a subreddit column), where Reddit's name rules apply. */
export const ACTIVITY_TABLE_SQL = `CREATE OR REPLACE TEMP TABLE activity (
  "user" VARCHAR, community VARCHAR, posts BIGINT, comments BIGINT, nsfw_posts BIGINT, flagged_posts BIGINT, reddit BOOLEAN)`;

export function detectKind(file: string): SourceKind {
  if (!existsSync(file)) throw new Error(`input not found: ${file}`);
  if (statSync(file).isDirectory()) {
    if (existsSync(path.join(file, 'comments.csv')) || existsSync(path.join(file, 'posts.csv'))) return 'reddit-export';
    throw new Error(`${file} is a folder without comments.csv or posts.csv; pass a Reddit data export folder or a CSV / NDJSON file`);
  }
  const base = file.toLowerCase().replace(/\.(zst|zstd|gz)$/, '');
  if (base.endsWith('.csv') || base.endsWith('.tsv')) return 'csv';
  if (base.endsWith('.jsonl') || base.endsWith('.ndjson') || base.endsWith('.json')) return 'json';
  throw new Error(`cannot tell the format of ${file} from its name; use .csv, .jsonl or .ndjson (optionally .gz / .zst)`);
}

const pick = (columns: string[], ...names: string[]) => columns.find((c) => names.includes(c.toLowerCase()));
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function sniffCsv(db: DuckDBConnection, file: string): Promise<{ delimiter: string; columns: string[] }> {
  checkTextInput(file, 'csv');
  let sniff: { Delimiter: string; Columns: { name: string }[] } | undefined;
  try {
    [sniff] = await queryRows<{ Delimiter: string; Columns: { name: string }[] }>(db, `SELECT Delimiter, Columns FROM sniff_csv(${sqlString(file)}, header = true)`);
  } catch (err) {
    throw new InputError(`${file}: not a readable CSV file (${firstLine(err)}); give a header line such as user,community,posts,comments and one row per edge`);
  }
  if (!sniff) throw new InputError(`${file}: not a readable CSV file; give a header line such as user,community,posts,comments`);
  const columns = sniff.Columns.map((c) => c.name);
  const broken = columns.find((c) => /[\r\n]/.test(c));
  if (broken !== undefined) {
    throw new InputError(`${file}: the header line has a line break inside the quoted column name ${JSON.stringify(broken)}; put the whole header on the first line`);
  }
  return { delimiter: sniff.Delimiter, columns };
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
/** Column names as written (quoted, so stray spaces and line breaks show). */
const listColumns = (columns: string[]) => columns.map((c) => JSON.stringify(c)).join(', ');

/** read_csv over `file` with every column typed (counts as BIGINT), malformed rows sent to a rejects table. */
function typedCsv(file: string, delimiter: string, columns: string[], numeric: Set<string>, rejects: string): string {
  const spec = columns.map((c) => `${sqlString(c)}: '${numeric.has(c) ? 'BIGINT' : 'VARCHAR'}'`).join(', ');
  return `read_csv(${sqlString(file)}, header = true, auto_detect = false, delim = ${sqlString(delimiter)}, quote = '"', escape = '"',
    columns = {${spec}}, store_rejects = true, rejects_table = '${rejects}_errors', rejects_scan = '${rejects}_scans')`;
}

async function rejectStats(db: DuckDBConnection, rejects: string): Promise<{ count: number; lines: number[]; reasons: string[] }> {
  const [{ n }] = (await queryRows<{ n: number }>(db, `SELECT count(DISTINCT line) AS n FROM ${rejects}_errors`)) as [{ n: number }];
  const first = await queryRows<{ line: number; error_message: string }>(
    db,
    `SELECT line, any_value(error_message) AS error_message FROM ${rejects}_errors GROUP BY line ORDER BY line LIMIT ${MAX_REPORTED_LINES}`,
  );
  return { count: n, lines: first.map((r) => r.line), reasons: first.slice(0, 3).map((r) => r.error_message.split('\n')[0]!) };
}

async function readCsv(db: DuckDBConnection, file: string, id: string): Promise<SourceStats> {
  const { delimiter, columns } = await sniffCsv(db, file);
  const user = pick(columns, 'user', 'author', 'user_id', 'username');
  const community = pick(columns, 'community', 'subreddit', 'subreddit_name', 'community_name');
  if (!user || !community) {
    throw new InputError(`${file}: needs a user column (user or author) and a community column (community or subreddit); the header has ${listColumns(columns)}`);
  }
  const posts = pick(columns, 'posts', 'submissions');
  const comments = pick(columns, 'comments');
  const count = pick(columns, 'count', 'activity', 'interactions', 'plays');
  const numeric = new Set([posts, comments, count].filter((c): c is string => Boolean(c)));
  const rejects = `rej${id}`;
  const postsExpr = posts ? `coalesce(${ident(posts)}, 0)` : '0';
  const commentsExpr = comments ? `coalesce(${ident(comments)}, 0)` : count ? `coalesce(${ident(count)}, 0)` : posts ? '0' : '1';
  await db.run(`CREATE OR REPLACE TEMP TABLE src${id} AS SELECT ${ident(user)} AS u, ${ident(community)} AS c, ${postsExpr} AS p, ${commentsExpr} AS k
    FROM ${typedCsv(file, delimiter, columns, numeric, rejects)}`);
  return finishTabular(db, file, 'csv', id, rejects, /^subreddit/i.test(community));
}

/** Moves src{id} into activity; rows without a user or community, or with negative counts, are malformed. */
async function finishTabular(db: DuckDBConnection, file: string, kind: SourceKind, id: string, rejects: string, reddit: boolean): Promise<SourceStats> {
  const [stats] = (await queryRows<{ total: number; bad: number }>(
    db,
    `SELECT count(*) AS total, count(*) FILTER (WHERE u IS NULL OR trim(u) = '' OR c IS NULL OR trim(c) = '' OR p < 0 OR k < 0) AS bad FROM src${id}`,
  )) as [{ total: number; bad: number }];
  await db.run(`INSERT INTO activity SELECT u, c, p, k, 0, 0, ${reddit} FROM src${id}
    WHERE NOT (u IS NULL OR trim(u) = '' OR c IS NULL OR trim(c) = '' OR p < 0 OR k < 0)`);
  await db.run(`DROP TABLE src${id}`);
  const rej = await rejectStats(db, rejects);
  return {
    path: file,
    kind,
    bytes: statSync(file).size,
    records: stats.total + rej.count,
    malformed: stats.bad + rej.count,
    malformedLines: rej.lines,
    reasons: [...rej.reasons, ...(stats.bad > 0 ? [`${stats.bad} rows without a user or community, or with a negative count`] : [])],
  };
}

const JSON_COLUMNS = `{"user": 'VARCHAR', community: 'VARCHAR', author: 'VARCHAR', subreddit: 'VARCHAR',
  posts: 'BIGINT', comments: 'BIGINT', body: 'VARCHAR', title: 'VARCHAR', over_18: 'BOOLEAN'}`;

async function readJson(db: DuckDBConnection, file: string): Promise<SourceStats> {
  checkTextInput(file, 'json');
  const src = `read_json(${sqlString(file)}, format = 'newline_delimited', ignore_errors = true, columns = ${JSON_COLUMNS}, maximum_object_size = 67108864)`;
  // A record is an aggregated edge when it carries posts/comments; otherwise it is one post (title, no
  // body) or one comment. Unparseable lines arrive as all-NULL rows (ignore_errors) and count as malformed.
  // One scan of the file: records are aggregated per (user, community) right away, malformed ones into
  // their own group, so only the aggregate is kept.
  await db.run(`CREATE OR REPLACE TEMP TABLE json_src AS
    SELECT u, c, reddit, bad, count(*) AS n,
      sum(CASE WHEN posts IS NOT NULL OR comments IS NOT NULL THEN coalesce(posts, 0) WHEN NOT no_title AND no_body THEN 1 ELSE 0 END) AS p,
      sum(CASE WHEN posts IS NOT NULL OR comments IS NOT NULL THEN coalesce(comments, 0) WHEN NOT no_title AND no_body THEN 0 ELSE 1 END) AS k,
      count(*) FILTER (WHERE over_18) AS nsfw, count(over_18) AS flagged
    FROM (
      SELECT coalesce("user", author) AS u, coalesce(community, subreddit) AS c, community IS NULL AND subreddit IS NOT NULL AS reddit,
        posts, comments, body IS NULL AS no_body, title IS NULL AS no_title, over_18,
        (coalesce("user", author) IS NULL OR coalesce(community, subreddit) IS NULL OR trim(coalesce(community, subreddit)) = ''
          OR coalesce(posts, 0) < 0 OR coalesce(comments, 0) < 0) AS bad
      FROM ${src})
    GROUP BY u, c, reddit, bad`);
  const [stats] = (await queryRows<{ total: number; bad: number }>(
    db,
    `SELECT coalesce(sum(n), 0)::BIGINT AS total, coalesce(sum(n) FILTER (WHERE bad), 0)::BIGINT AS bad FROM json_src`,
  )) as [{ total: number; bad: number }];
  await db.run(`INSERT INTO activity SELECT u, c, p, k, nsfw, flagged, reddit FROM json_src WHERE NOT bad`);
  await db.run(`DROP TABLE json_src`);
  let lines: number[] = [];
  if (stats.bad > 0) {
    // Second pass only when needed: record numbers of the first malformed lines.
    lines = (
      await queryRows<{ ln: number }>(
        db,
        `SELECT ln FROM (SELECT row_number() OVER () AS ln, json FROM read_ndjson_objects(${sqlString(file)}, ignore_errors = true, maximum_object_size = 67108864))
         WHERE json IS NULL OR json_type(json) <> 'OBJECT'
            OR coalesce(json ->> 'user', json ->> 'author') IS NULL
            OR coalesce(json ->> 'community', json ->> 'subreddit') IS NULL
            OR trim(coalesce(json ->> 'community', json ->> 'subreddit')) = ''
            OR TRY_CAST(json ->> 'posts' AS BIGINT) < 0 OR TRY_CAST(json ->> 'comments' AS BIGINT) < 0
            OR (json ->> 'posts' IS NOT NULL AND TRY_CAST(json ->> 'posts' AS BIGINT) IS NULL)
            OR (json ->> 'comments' IS NOT NULL AND TRY_CAST(json ->> 'comments' AS BIGINT) IS NULL)
         ORDER BY ln LIMIT ${MAX_REPORTED_LINES}`,
      )
    ).map((r) => r.ln);
  }
  return {
    path: file,
    kind: 'json',
    bytes: statSync(file).size,
    records: stats.total,
    malformed: stats.bad,
    malformedLines: lines,
    reasons: stats.bad > 0 ? ['not a JSON object with author/user and subreddit/community (or a bad count)'] : [],
  };
}

async function readRedditExport(db: DuckDBConnection, dir: string, id: number, exportUser: string): Promise<SourceStats[]> {
  const out: SourceStats[] = [];
  for (const [name, isPost] of [['posts.csv', true], ['comments.csv', false]] as const) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    const { delimiter, columns } = await sniffCsv(db, file);
    const subreddit = pick(columns, 'subreddit');
    if (!subreddit) throw new InputError(`${file}: a Reddit export file needs a subreddit column; the header has ${listColumns(columns)}`);
    const n = `${id}${isPost ? 'p' : 'c'}`;
    // Posts on one's own profile live in "u_<name>": not a community, so they are left out.
    await db.run(`CREATE OR REPLACE TEMP TABLE src${n} AS SELECT ${sqlString(exportUser)} AS u, ${ident(subreddit)} AS c,
      ${isPost ? 1 : 0}::BIGINT AS p, ${isPost ? 0 : 1}::BIGINT AS k
      FROM ${typedCsv(file, delimiter, columns, new Set(), `rej${n}`)} WHERE NOT starts_with(lower(coalesce(${ident(subreddit)}, '')), 'u_')`);
    out.push(await finishTabular(db, file, 'reddit-export', n, `rej${n}`, true));
  }
  return out;
}

export async function readSource(db: DuckDBConnection, file: string, id: number, options: { exportUser: string }): Promise<SourceStats[]> {
  const kind = detectKind(file);
  if (kind === 'csv') return [await readCsv(db, file, String(id))];
  if (kind === 'json') return [await readJson(db, file)];
  return readRedditExport(db, file, id, options.exportUser);
}
