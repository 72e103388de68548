import { parse } from 'csv-parse/browser/esm/sync';
import { RedditCommunityName, type CommunityActivity } from '../../../shared/schemas/community.ts';
import type { ListProblem } from '../../../shared/community/list.ts';

/**
 * Reads the `comments.csv` and `posts.csv` of a Reddit data export (reddit.com/settings/data-request).
 * Both have a `subreddit` column; comments carry their text in `body`, posts in `title` + `body`.
 * Returns the per-community activity counts and the person's own texts, which the persona verbalizer
 * uses as evidence.
 */
export interface ExportText {
  community: string;
  text: string;
  kind: 'post' | 'comment';
}

export interface RedditExportParse {
  communities: CommunityActivity[];
  texts: ExportText[];
  errors: ListProblem[];
  /** Rows read per file. */
  rows: { comments: number; posts: number };
}

export type ExportFileKind = 'comments' | 'posts';

/** Which export file a CSV is, from its header row; undefined when it is neither. */
export function exportFileKind(csvText: string): ExportFileKind | undefined {
  const header = csvText.slice(0, csvText.search(/\r?\n|$/)).toLowerCase().split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  if (!header.includes('subreddit')) return undefined;
  if (header.includes('title')) return 'posts';
  if (header.includes('body')) return 'comments';
  return undefined;
}

const REMOVED = new Set(['[deleted]', '[removed]', '']);

export function parseRedditExport(files: { name: string; text: string }[]): RedditExportParse {
  const counts = new Map<string, CommunityActivity>();
  const texts: ExportText[] = [];
  const errors: ListProblem[] = [];
  const rows = { comments: 0, posts: 0 };
  for (const file of files) {
    const kind = exportFileKind(file.text);
    if (!kind) {
      errors.push({ line: 1, text: file.name, message: `${file.name}: not a Reddit export file (expected comments.csv or posts.csv with a "subreddit" column)` });
      continue;
    }
    let records: Record<string, string>[];
    try {
      records = parse(file.text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, bom: true });
    } catch (err) {
      errors.push({ line: (err as { lines?: number }).lines ?? 0, text: file.name, message: `${file.name}: ${(err as Error).message}` });
      continue;
    }
    records.forEach((row, i) => {
      const line = i + 2;
      const name = RedditCommunityName.safeParse(row.subreddit ?? '');
      if (!name.success) {
        errors.push({ line, text: file.name, message: `${file.name} line ${line}: subreddit "${row.subreddit ?? ''}" is not a community name` });
        return;
      }
      rows[kind]++;
      const entry = counts.get(name.data) ?? { name: name.data, posts: 0, comments: 0 };
      if (kind === 'posts') entry.posts++;
      else entry.comments++;
      counts.set(name.data, entry);
      const body = (row.body ?? '').trim();
      const text = kind === 'posts' ? [row.title?.trim(), REMOVED.has(body) ? '' : body].filter(Boolean).join('\n') : body;
      if (!REMOVED.has(text)) texts.push({ community: name.data, text, kind: kind === 'posts' ? 'post' : 'comment' });
    });
  }
  const communities = [...counts.values()].sort((a, b) => b.posts + b.comments - (a.posts + a.comments));
  return { communities, texts, errors, rows };
}
