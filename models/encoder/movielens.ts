import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { CommunityRecord } from '../../shared/community/records.ts';
import type { Interaction } from '../../shared/graph/bipartite.ts';

/**
 * MovieLens (ml-latest-small, models/data/movielens) as a second real bipartite graph: users × the movies
 * they liked (rating ≥ minRating), each movie described by its title, genres and the tags users gave it.
 * The same pipeline as Reddit trains on it: movies play the part of communities.
 */
export interface MovieLensGraph {
  interactions: Interaction[];
  movies: Map<string, CommunityRecord>;
}

/** A vocabulary-safe name for a movie: slug of the title plus its id ("toy_story_1995-1"). */
export function movieName(movieId: string, title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
    .slice(0, 60);
  return `${slug || 'movie'}-${movieId}`;
}

export function readMovieLens(dir: string, options: { minRating?: number; minLikes?: number } = {}): MovieLensGraph {
  const minRating = options.minRating ?? 4;
  const read = (file: string) => parse(readFileSync(path.join(dir, file)), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const titles = new Map<string, { title: string; genres: string }>();
  for (const m of read('movies.csv')) titles.set(m.movieId!, { title: m.title!, genres: m.genres! });
  const tags = new Map<string, Set<string>>();
  for (const t of read('tags.csv')) {
    let set = tags.get(t.movieId!);
    if (!set) tags.set(t.movieId!, (set = new Set()));
    set.add(t.tag!.trim().toLowerCase());
  }
  const likes = read('ratings.csv').filter((r) => Number(r.rating) >= minRating && titles.has(r.movieId!));
  const count = new Map<string, number>();
  for (const r of likes) count.set(r.movieId!, (count.get(r.movieId!) ?? 0) + 1);
  const keep = (id: string) => (count.get(id) ?? 0) >= (options.minLikes ?? 1);
  const movies = new Map<string, CommunityRecord>();
  const interactions: Interaction[] = [];
  for (const r of likes) {
    if (!keep(r.movieId!)) continue;
    const { title, genres } = titles.get(r.movieId!)!;
    const name = movieName(r.movieId!, title);
    if (!movies.has(name)) {
      const genreList = genres === '(no genres listed)' ? [] : genres.split('|');
      movies.set(name, { name, title, categories: genreList, description: [...(tags.get(r.movieId!) ?? [])].join(', ') || null });
    }
    // One "comment" per liked movie: the edge weight then only reflects the two degrees.
    interactions.push({ user: `ml${r.userId}`, community: name, posts: 0, comments: 1 });
  }
  return { interactions, movies };
}

/** Writes the graph as the two files `zipp encoder train` reads: likes.csv and movies.jsonl. */
export function writeMovieLensFiles(graph: MovieLensGraph, outDir: string): { interactions: string; communities: string } {
  mkdirSync(outDir, { recursive: true });
  const interactions = path.join(outDir, 'likes.csv');
  const communities = path.join(outDir, 'movies.jsonl');
  writeFileSync(interactions, ['user,community,posts,comments', ...graph.interactions.map((i) => `${i.user},${i.community},${i.posts},${i.comments}`)].join('\n') + '\n');
  writeFileSync(communities, [...graph.movies.values()].map((m) => JSON.stringify(m)).join('\n') + '\n');
  return { interactions, communities };
}
