import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMovieLens, moviePrompt, parseTitle } from '../../server/datasets/movielens.ts';

const fixture = fileURLToPath(new URL('../fixtures/datasets/movielens/', import.meta.url));

describe('MovieLens loader', () => {
  it('turns each user\'s liked movies, oldest first, into prompts and holds out the latest two', async () => {
    const d = await loadMovieLens(fixture);
    expect(d.name).toBe('movielens');
    // User 15 rated nothing 4 or above and is skipped.
    expect(d.users.map((u) => u.id)).toEqual(['2', '5']);
    const [u2, u5] = d.users;
    // User 2 liked (by time) Gladiator, Kill Bill: Vol. 1, Tommy Boy, Good Will Hunting; 3.5 and 3.0 are not likes.
    expect(u2!.history).toEqual([
      'A cinematic scene inspired by the 2000 film "Gladiator", an action, adventure and drama story; ancient rome, epic, history',
      'A cinematic scene inspired by the 2003 film "Kill Bill: Vol. 1", an action, crime and thriller story; martial arts, revenge',
    ]);
    expect(u2!.queries).toEqual([
      'A cinematic scene inspired by the 1995 film "Tommy Boy", a comedy story',
      // Tags are ranked by how many users gave them, ties alphabetically.
      'A cinematic scene inspired by the 1997 film "Good Will Hunting", a drama and romance story; inspirational, heartwarming',
    ]);
    // Babe and The Usual Suspects share a timestamp: ordered by movie id.
    expect(u5!.history.map((p) => /"(.*)"/.exec(p)![1])).toEqual(['Babe', 'The Usual Suspects', 'Toy Story']);
    expect(u5!.history[2]).toMatch(/"Toy Story", an adventure, animation, children, comedy and fantasy story; pixar/);
    expect(u5!.queries.map((p) => /"(.*)"/.exec(p)![1])).toEqual(['Get Shorty', 'Dead Man Walking']);
  });

  it('honours the rating threshold, query count, history cap and user filter', async () => {
    const d = await loadMovieLens(fixture, { minRating: 3, queriesPerUser: 1, maxHistory: 2, users: ['2', '15'] });
    expect(d.users.map((u) => [u.id, u.history.length, u.queries.length])).toEqual([['2', 2, 1], ['15', 1, 1]]);
  });

  it('loads the vendored ml-latest-small: 608 of its 610 users have three or more likes', async () => {
    const d = await loadMovieLens();
    expect(d.users).toHaveLength(608);
    expect(d.users.every((u) => u.queries.length === 2 && u.history.length >= 1)).toBe(true);
    expect(d.users.flatMap((u) => u.queries).every((p) => p.startsWith('A cinematic scene inspired by'))).toBe(true);
  });
});

describe('MovieLens titles', () => {
  it.each([
    ['City of Lost Children, The (Cité des enfants perdus, La) (1995)', 'The City of Lost Children', '1995'],
    ['Misérables, Les (1995)', 'Les Misérables', '1995'],
    ['Seven (a.k.a. Se7en) (1995)', 'Seven', '1995'],
    ['Cry, the Beloved Country (1995)', 'Cry, the Beloved Country', '1995'],
    ['Godfather: Part II, The (1974)', 'The Godfather: Part II', '1974'],
    ['Babylon 5', 'Babylon 5', undefined],
  ])('%s → %s', (raw, title, year) => {
    expect(parseTitle(raw)).toEqual({ title, ...(year ? { year } : {}) });
  });

  it('writes prompts without genres or tags when a movie has none', () => {
    expect(moviePrompt({ id: '1', title: 'Ben-hur', year: '2016', genres: [], tags: [] })).toBe('A cinematic scene inspired by the 2016 film "Ben-hur"');
    expect(moviePrompt({ id: '1', title: 'X', genres: ['Sci-Fi', 'Film-Noir'], tags: ['rain'] })).toBe('A cinematic scene inspired by the film "X", a science fiction and film noir story; rain');
  });
});
