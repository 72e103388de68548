import { describe, expect, it } from 'vitest';
import { communityText } from '../../shared/community/text.ts';
import { embedderFromConfig } from '../../shared/embed/from-config.ts';
import { hash32, HashedTfidfEmbedder, words } from '../../shared/embed/hashed-tfidf.ts';

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('hashed TF-IDF embedder', () => {
  const corpus = [
    'photography. Share your photos, cameras and lenses',
    'analog. Film photography: cameras, film stocks, darkroom',
    'nfl. National Football League news and game threads',
    'fantasyfootball. Fantasy football leagues, drafts and trades',
    'cooking. Recipes and kitchen tips',
  ];
  const embedder = HashedTfidfEmbedder.fit(corpus, { dimension: 512 });

  it('splits camelCase, digits and underscores into lower-case words', () => {
    expect(words('RocketLeague2Exchange the_best')).toEqual(['rocket', 'league', '2', 'exchange', 'the', 'best']);
  });

  it('tokenizes long texts in whitespace-bounded pieces without changing the tokens', () => {
    const a = 'Film photography: cameras, film stocks and darkroom work. '.repeat(40);
    const b = 'NFL game threads and fantasy football drafts! '.repeat(40);
    expect(words(`${a} ${b}`)).toEqual([...words(a), ...words(b)]);
    expect(words(a)).toHaveLength(8 * 40);
  });

  it('hashes deterministically (FNV-1a + murmur finaliser)', () => {
    expect(hash32('photography')).toBe(hash32('photography'));
    expect(hash32('photography')).not.toBe(hash32('photographs'));
  });

  it('returns unit vectors that put related texts closer than unrelated ones', async () => {
    const [film, nfl, fantasy, cookingV] = await embedder.embed(['film cameras and darkroom', 'nfl football game', 'fantasy football draft', 'kitchen recipes']);
    for (const v of [film!, nfl!]) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    expect(cos(nfl!, fantasy!)).toBeGreaterThan(cos(nfl!, film!));
    expect(cos(nfl!, fantasy!)).toBeGreaterThan(cos(nfl!, cookingV!));
  });

  it('lets subwords match: an unseen name lands near the community it resembles', async () => {
    const [unknown, photo, nfl] = await embedder.embed(['photographs', corpus[0]!, corpus[2]!]);
    expect(cos(unknown!, photo!)).toBeGreaterThan(cos(unknown!, nfl!) + 0.05);
  });

  it('round-trips through its stored config (what a model directory keeps)', async () => {
    const config = embedder.describe();
    expect(config.idf).toHaveLength(512);
    const rebuilt = await embedderFromConfig(JSON.parse(JSON.stringify(config)));
    expect(Array.from((await rebuilt!.embed(['analog film']))[0]!)).toEqual(Array.from((await embedder.embed(['analog film']))[0]!));
  });

  it('rejects an IDF table that does not fit the dimension', () => {
    expect(() => new HashedTfidfEmbedder({ ...embedder.describe(), idf: [1, 2] })).toThrow(/refit/);
  });
});

describe('community text', () => {
  it('puts the name first, joins what is known and drops URLs', () => {
    expect(communityText('analog', { title: 'Film', description: 'See https://x.y/z now', categories: ['Photo', 'Art'] })).toBe(
      'analog. Film. See now. Photo, Art',
    );
    expect(communityText('solo')).toBe('solo');
  });
});
