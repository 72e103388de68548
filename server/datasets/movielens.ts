import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { parseTable, readText, requireColumns } from './tabular.ts';
import type { BenchUser, Dataset } from './types.ts';

/**
 * MovieLens (GroupLens ml-latest-small is vendored in models/data/movielens) as a personalisation
 * benchmark: a user's liked movies become text-to-image prompts built from each movie's metadata
 * (title, year, genres, and the community's tags as keywords), the way the paper (after DrUM) turns movie
 * metadata into prompts. Liked = rated at least `minRating`; the most recent likes are the queries.
 */
export const VENDORED_MOVIELENS = fileURLToPath(new URL('../../models/data/movielens/', import.meta.url));

export interface MovieLensOptions {
  /** A movie counts as liked from this rating on (default 4.0 of 5). */
  minRating?: number;
  /** Most recent likes held out as queries (default 2); users with fewer likes than this + 1 are skipped. */
  queriesPerUser?: number;
  /** Cap on earlier likes kept as history, most recent first kept (default: all). */
  maxHistory?: number;
  /** Keywords per movie from its tags (default 3, most frequent first). */
  tagsPerMovie?: number;
  /** Only these user ids (default: every user). */
  users?: string[];
}

export interface Movie {
  id: string;
  title: string;
  year?: string;
  genres: string[];
  tags: string[];
}

const Rating = z.object({ userId: z.string().regex(/^\d+$/), movieId: z.string().regex(/^\d+$/), rating: z.coerce.number().min(0).max(5), timestamp: z.coerce.number().int() });

export async function loadMovieLens(dir = VENDORED_MOVIELENS, options: MovieLensOptions = {}): Promise<Dataset> {
  const minRating = options.minRating ?? 4;
  const queriesPerUser = options.queriesPerUser ?? 2;
  const movies = await readMovies(dir, options.tagsPerMovie ?? 3);

  const ratingsFile = join(dir, 'ratings.csv');
  const rows = parseTable(await readText(ratingsFile, `MovieLens ratings ${ratingsFile}`), ratingsFile);
  requireColumns(rows, ['userId', 'movieId', 'rating', 'timestamp'], ratingsFile);
  const wanted = options.users ? new Set(options.users) : undefined;
  const likes = new Map<string, { movieId: string; t: number }[]>();
  rows.forEach((row, i) => {
    const r = Rating.safeParse(row);
    if (!r.success) throw new InputError(`${ratingsFile} line ${i + 2}: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
    if (r.data.rating < minRating || (wanted && !wanted.has(r.data.userId))) return;
    if (!movies.has(r.data.movieId)) throw new InputError(`${ratingsFile} line ${i + 2}: movie ${r.data.movieId} is not in movies.csv`);
    let list = likes.get(r.data.userId);
    if (!list) likes.set(r.data.userId, (list = []));
    list.push({ movieId: r.data.movieId, t: r.data.timestamp });
  });

  const users: BenchUser[] = [];
  for (const [id, list] of [...likes.entries()].sort(([a], [b]) => Number(a) - Number(b))) {
    if (list.length < queriesPerUser + 1) continue;
    // Oldest first; ties (same second) by movie id so the order never depends on file order.
    list.sort((a, b) => a.t - b.t || Number(a.movieId) - Number(b.movieId));
    const prompts = list.map((l) => moviePrompt(movies.get(l.movieId)!));
    const history = prompts.slice(0, prompts.length - queriesPerUser);
    users.push({
      id,
      history: options.maxHistory === undefined ? history : history.slice(Math.max(0, history.length - options.maxHistory)),
      queries: prompts.slice(prompts.length - queriesPerUser),
    });
  }
  return { name: 'movielens', users, source: dir, note: MOVIELENS_NOTE };
}

/** The paper (after DrUM) also used TMDB's keywords and plot description; offline there is no TMDB. */
const MOVIELENS_NOTE = 'prompts from each liked movie\'s title, year, genres and its most used tags; no TMDB keywords or descriptions (offline)';

async function readMovies(dir: string, tagsPerMovie: number): Promise<Map<string, Movie>> {
  const moviesFile = join(dir, 'movies.csv');
  const rows = parseTable(await readText(moviesFile, `MovieLens movies ${moviesFile}`), moviesFile);
  requireColumns(rows, ['movieId', 'title', 'genres'], moviesFile);
  const tags = await readTags(join(dir, 'tags.csv'));
  const movies = new Map<string, Movie>();
  for (const r of rows) {
    const { title, year } = parseTitle(r.title!);
    // IMAX is a screen format, not a kind of story.
    const genres = r.genres === '(no genres listed)' ? [] : r.genres!.split('|').filter((g) => g && g !== 'IMAX');
    movies.set(r.movieId!, { id: r.movieId!, title, year, genres, tags: topTags(tags.get(r.movieId!), tagsPerMovie) });
  }
  return movies;
}

/** tags.csv is optional (older MovieLens releases lack it): movie → tag → how many users used it. */
async function readTags(file: string): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  let text: string;
  try {
    text = await readText(file);
  } catch {
    return out;
  }
  for (const r of parseTable(text, file)) {
    const tag = r.tag?.trim().toLowerCase();
    if (!tag || !r.movieId) continue;
    let m = out.get(r.movieId);
    if (!m) out.set(r.movieId, (m = new Map()));
    m.set(tag, (m.get(tag) ?? 0) + 1);
  }
  return out;
}

const topTags = (counts: Map<string, number> | undefined, n: number): string[] =>
  counts ? [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([t]) => t) : [];

/**
 * "City of Lost Children, The (Cité des enfants perdus, La) (1995)" → title "The City of Lost Children",
 * year "1995": MovieLens appends the year, moves leading articles to the end and adds alternate titles.
 */
export function parseTitle(raw: string): { title: string; year?: string } {
  let title = raw.trim();
  const year = /\((\d{4})(?:[–-]\d{0,4})?\)\s*$/.exec(title);
  if (year) title = title.slice(0, year.index).trim();
  // An alternate (original-language or a.k.a.) title in trailing parentheses.
  title = title.replace(/\s*\((?:a\.k\.a\. )?[^()]*\)\s*$/, '').trim() || title;
  const article = /^(.*), (The|A|An|Les|La|Le|L'|Il|El|Die|Das|Der|Los|Las|Den|Det)$/.exec(title);
  if (article) title = `${article[2]}${article[2]!.endsWith("'") ? '' : ' '}${article[1]}`;
  return { title, ...(year ? { year: year[1] } : {}) };
}

/** One prompt per movie, in plain words: the film, its genres as a style cue, and its keywords. */
export function moviePrompt(m: Movie): string {
  const film = `the ${m.year ? `${m.year} ` : ''}film "${m.title}"`;
  const genres = m.genres.map((g) => (g === 'Sci-Fi' ? 'science fiction' : g === 'Film-Noir' ? 'film noir' : g.toLowerCase()));
  const kind = genres.length ? `, ${/^[aeiou]/.test(genres[0]!) ? 'an' : 'a'} ${listing(genres)} story` : '';
  const keywords = m.tags.length ? `; ${m.tags.join(', ')}` : '';
  return `A cinematic scene inspired by ${film}${kind}${keywords}`;
}

const listing = (words: string[]) => (words.length < 3 ? words.join(' and ') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);
