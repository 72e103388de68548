import { describe, expect, it } from 'vitest';
import { cleanEvidenceText, countWords, isRemovedText, stripUrlsAndMentions } from '../../shared/persona/clean.ts';
import { dedupeTexts } from '../../shared/persona/dedupe.ts';

describe('cleanEvidenceText', () => {
  it('drops removed and deleted markers', () => {
    for (const t of ['[deleted]', ' [removed] ', '[ Removed by Reddit ]', '[removed by moderator]']) {
      expect(isRemovedText(t)).toBe(true);
      expect(cleanEvidenceText(t)).toEqual({ ok: false, reason: 'removed' });
    }
    expect(isRemovedText('I [removed] the lens cap and it worked')).toBe(false);
  });

  it('drops texts under five words, counted after cleaning', () => {
    expect(cleanEvidenceText('Great shot, love it')).toEqual({ ok: false, reason: 'short' });
    expect(cleanEvidenceText('Great shot, love it, thanks')).toEqual({ ok: true, text: 'Great shot, love it, thanks' });
    // Five "words" only because of the URL: after stripping, two remain.
    expect(cleanEvidenceText('see https://imgur.com/a/b/c/d here')).toEqual({ ok: false, reason: 'short' });
  });

  it('strips URLs but keeps Markdown link labels', () => {
    expect(stripUrlsAndMentions('I use a [Tormek T-8](https://www.amazon.com/dp/B00WHHYLAY/ref=x) daily')).toBe(
      'I use a Tormek T-8 daily',
    );
    expect(stripUrlsAndMentions('pics at http://imgur.com/abc.jpg and www.flickr.com/photos/x.').replace(/\s+/g, ' ')).toBe(
      'pics at and ',
    );
  });

  it('strips u/ and @ mentions but not e-mail addresses or r/ communities', () => {
    const out = stripUrlsAndMentions('made by /u/KenpachigoRuffy and u/burnt_sushi, cc @film_nerd; mail me@example.org in r/analog');
    expect(out).not.toMatch(/Kenpachigo|burnt_sushi|film_nerd/);
    expect(out).toContain('me@example.org');
    expect(out).toContain('r/analog');
  });

  it('drops quoted lines and decodes the entities Reddit escapes', () => {
    const r = cleanEvidenceText('&gt; you said film is dead\n\nFilm is alive &amp; well in my darkroom, honestly');
    expect(r).toEqual({ ok: true, text: 'Film is alive & well in my darkroom, honestly' });
  });

  it('counts words with apostrophes and hyphens as one', () => {
    expect(countWords("I've shot black-and-white film")).toBe(4);
  });
});

describe('dedupeTexts', () => {
  it('drops exact duplicates ignoring case and punctuation, keeping the first', () => {
    const r = dedupeTexts(['Great shot, love the colours!', 'great shot love the colours', 'Another thing entirely here'], (t) => t);
    expect(r.kept).toEqual(['Great shot, love the colours!', 'Another thing entirely here']);
    expect(r.dropped).toEqual([{ item: 'great shot love the colours', duplicateOf: 'Great shot, love the colours!', kind: 'exact' }]);
  });

  it('drops near-duplicates by word 3-shingle Jaccard', () => {
    const first = 'I just finished restoring an old Pentax K1000 and it works perfectly';
    const repost = 'Just finished restoring an old Pentax K1000 and it works perfectly!'; // 9 of 10 shingles shared
    const related = 'I just finished restoring an old walnut table and it looks great';
    const r = dedupeTexts([first, repost, related], (t) => t);
    expect(r.kept).toEqual([first, related]);
    expect(r.dropped[0]).toMatchObject({ item: repost, kind: 'near' });
  });

  it('honours the threshold', () => {
    const a = 'the quick brown fox jumps over the lazy dog';
    const b = 'the quick brown fox jumps over a sleeping cat';
    // shingles: 7 each, 4 shared → Jaccard 4/10 = 0.4
    expect(dedupeTexts([a, b], (t) => t, 0.4).kept).toEqual([a]);
    expect(dedupeTexts([a, b], (t) => t, 0.41).kept).toEqual([a, b]);
  });
});
