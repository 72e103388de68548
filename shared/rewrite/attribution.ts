import { diffWordsWithSpace } from 'diff';
import { HashedTfidfEmbedder } from '../embed/hashed-tfidf.ts';
import { sentenceSpans } from '../persona/sensitive.ts';
import { contentTerms } from './terms.ts';

/**
 * Where the words a rewrite added came from, without asking the model: each added phrase is matched to
 * the persona sentences it is most similar to — hashed TF-IDF (word and character n-grams, IDF fitted on
 * this persona and this rewrite) cosine similarity, counted as support only when the two also share a
 * content word (stemmed) or are clearly similar — so "film grain" points at "…film grain are what you
 * look for", and "golden hour" with nothing behind it in the persona is marked as the model's own.
 * Lexical, not semantic: a synonym ("mist" for "fog") is not support.
 */
export interface DiffSegment {
  kind: 'same' | 'added' | 'removed';
  text: string;
  /** Added phrases: the persona sentences behind it, best first (at most two). */
  sources?: string[];
  /** Added phrases: whether anything in the persona supports it. */
  supported?: boolean;
}

/** Cosine at or above which a phrase and a sentence sharing a content word count as related. */
export const SUPPORT_MIN = 0.1;
/** Cosine at or above which they count as related even without a shared content word. */
export const SUPPORT_STRONG = 0.25;
const MAX_SOURCES = 2;

/** Added runs are cut into phrases at punctuation, so "film grain, golden hour" is two claims. */
function splitAdded(text: string): string[] {
  return text.split(/(?<=[,;:.!?])/);
}

export function attributeRewrite(base: string, rewritten: string, persona: string): DiffSegment[] {
  const segments: DiffSegment[] = [];
  for (const c of diffWordsWithSpace(base, rewritten)) {
    if (!c.added) segments.push({ kind: c.removed ? 'removed' : 'same', text: c.value });
    else for (const piece of splitAdded(c.value)) segments.push({ kind: 'added', text: piece });
  }
  const sentences = sentenceSpans(persona)
    .map((s) => persona.slice(s.start, s.end).trim())
    .filter(Boolean);
  const phrases = segments.filter((s) => s.kind === 'added' && /\p{L}/u.test(s.text));
  if (!phrases.length) return segments;
  const embedder = HashedTfidfEmbedder.fit([...sentences, ...phrases.map((p) => p.text)]);
  const sentenceVectors = sentences.map((s) => embedder.embedOne(s));
  const sentenceTerms = sentences.map((s) => new Set(contentTerms(s)));
  for (const phrase of phrases) {
    const v = embedder.embedOne(phrase.text);
    const terms = contentTerms(phrase.text);
    const scored = sentences
      .map((sentence, i) => {
        let dot = 0;
        const u = sentenceVectors[i]!;
        for (let d = 0; d < v.length; d++) dot += v[d]! * u[d]!;
        const shares = terms.some((t) => sentenceTerms[i]!.has(t));
        return { sentence, score: dot, related: (shares && dot >= SUPPORT_MIN) || dot >= SUPPORT_STRONG };
      })
      .filter((s) => s.related)
      .sort((a, b) => b.score - a.score);
    phrase.supported = scored.length > 0;
    phrase.sources = scored.slice(0, MAX_SOURCES).map((s) => s.sentence);
  }
  return segments;
}
