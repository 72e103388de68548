import { normalizeTerm, STOPWORDS, termForms } from './terms.ts';

/**
 * The over-personalization guard's two halves: what a base prompt is about (its primary subjects) and
 * whether a rewrite still shows them. The paper's failure — "a dog in a park" turning into an Art Deco
 * pattern with no dog — is exactly a rewrite that lost its subjects.
 *
 * Subjects are the heads of the prompt's noun phrases, found without a tagger: image prompts are mostly
 * noun phrases strung together by prepositions, conjunctions and commas, and an English noun phrase ends
 * in its noun ("a cozy wooden TABLE"). So: split at those joints, and take each chunk's last content word.
 * Words that describe the picture rather than what is in it (photo, style, 4k, cinematic) are not
 * subjects: changing the medium is what personalization is for. Matching is lexical, tolerant to case,
 * plurals, possessives and hyphenation; a synonym ("hound" for "dog") is not recognised, which errs on
 * the side of asking the model once more.
 */

/** At most this many subjects are required, the first ones named (prompts lead with what matters). */
export const MAX_SUBJECTS = 6;

/** Chunk joints besides punctuation: every stopword, plus verbs that link phrases. */
const LINKING_VERBS = new Set(
  'sitting standing lying walking running holding wearing looking made covered filled surrounded seen shown featuring showing depicting'.split(' '),
);

/** Words about the picture, not its content: never required to survive a rewrite. */
const PICTURE_WORDS = new Set(
  (
    'photo photograph photography picture image pic shot snapshot illustration drawing painting sketch render ' +
    'rendering artwork art portrait closeup close-up view scene style styled wallpaper poster design concept ' +
    'composition background foreground version aesthetic vibe mood atmosphere lighting light colors color ' +
    'colour colours tone tones hd uhd 4k 8k 16k masterpiece quality detail details detailed highly ultra ' +
    'hyper realistic photorealistic hyperrealistic cinematic dramatic beautiful stunning gorgeous epic ' +
    'trending artstation octane unreal engine resolution sharp focus bokeh depth field'
  ).split(' '),
);

/** Adjective endings: a chunk left holding only such a word has no noun ("…, mysterious"). */
const ADJECTIVE_END = /(?:istic|ical|esque|ful|ous|ive|less)$/;

const TOKEN = /[\p{L}\p{N}][\p{L}\p{N}'’-]*|[,;:.!?()[\]{}"“”|/+&]/gu;

const isPunct = (t: string) => !/[\p{L}\p{N}]/u.test(t[0]!);
/** Nouns that end like a participle; never treated as verbs. */
const ING_NOUNS = new Set(
  (
    'building painting drawing rendering ceiling clothing wedding morning evening spring string swing thing ' +
    'pudding stocking earring sibling duckling gosling offspring awning railing carving landing bedding ' +
    'frosting icing filling dumpling herring viking sapling seedling lightning ending opening clearing ' +
    'crossing gathering meeting feeling lighting ring king wing'
  ).split(' '),
);
/** A verb-like -ing word ("reading", "smoking"); -ed forms are left alone: they are mostly adjectives. */
const isParticiple = (w: string) => w.length > 4 && w.endsWith('ing') && !ING_NOUNS.has(w);

/** Splits a prompt into noun-phrase-like chunks of lower-cased words. */
export function nounChunks(prompt: string): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length) chunks.push(current);
    current = [];
  };
  for (const raw of prompt.normalize('NFKC').match(TOKEN) ?? []) {
    const w = raw.toLowerCase();
    if (isPunct(w) || STOPWORDS.has(w) || LINKING_VERBS.has(w)) {
      flush();
      continue;
    }
    // "a man reading a book": a participle right after a content word starts a new phrase, while one
    // after a determiner ("a sleeping cat") is a modifier inside the phrase.
    if (isParticiple(w) && current.length > 0) flush();
    current.push(w);
  }
  flush();
  return chunks;
}

/** The primary subjects of a base prompt, normalised (singular, lower case), in order, at most MAX_SUBJECTS. */
export function extractSubjects(prompt: string, max = MAX_SUBJECTS): string[] {
  const subjects: string[] = [];
  for (const chunk of nounChunks(prompt)) {
    const content = chunk.filter((w) => !/^\d/.test(w));
    const head = content[content.length - 1];
    if (!head || PICTURE_WORDS.has(head)) continue;
    if (content.length === 1 && (isParticiple(head) || /ed$/.test(head) || ADJECTIVE_END.test(head))) continue;
    const term = normalizeTerm(head);
    if (term.length < 2 || subjects.includes(term)) continue;
    subjects.push(term);
    if (subjects.length >= max) break;
  }
  return subjects;
}

/** Subjects the rewrite no longer mentions (in any tolerated form). */
export function missingSubjects(subjects: readonly string[], rewrite: string): string[] {
  const forms = termForms(rewrite);
  return subjects.filter((s) => !forms.has(s) && !forms.has(s.replace(/-/g, '')));
}
