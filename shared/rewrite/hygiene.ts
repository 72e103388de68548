import { rawWords } from './terms.ts';

/**
 * Output hygiene: chat models wrap the prompt they were asked for in chatter — "Sure! Here's the
 * rewritten prompt:", a bold label, quotes, a code fence, a closing "Note: I kept…". What reaches the
 * image model must be the prompt alone, under the word cap.
 */

/** The templates ask for fewer than 70 words. */
export const REWRITE_MAX_WORDS = 69;

export interface CleanedAnswer {
  text: string;
  /** True when the word cap removed words. */
  cut: boolean;
}

const FENCE = /```[\w-]*[ \t]*\n?([\s\S]*?)```/;
/**
 * Courtesy openers that carry no prompt: "Sure!", "Certainly.", "Of course, here…". Punctuation (or a
 * following "here") is required, so "Great white shark…" and "Absolutely massive cathedral" stay whole.
 */
const COURTESY = /^(?:sure|certainly|of course|absolutely|okay|ok|great|alright)(?:[!.,]+\s*|\s+(?=here\b))/i;
/** "Here is the rewritten prompt:", "Here's my version:", "Below is a richer prompt:" */
const PREAMBLE = /^(?:here(?:'s|’s| is| are)|below is|this is)\b[^:\n]{0,60}:\s*/i;
/** "Rewritten prompt:", "**Enhanced Prompt:**", "Prompt -", "Final version:" */
const LABEL =
  /^[*_#>\s]*(?:(?:the\s+)?(?:rewritten|enhanced|improved|new|final|personali[sz]ed|revised|updated|refined|rich(?:er)?|vivid|basic|base|image|my)\s+)*(?:prompt|version|rewrite)\s*[*_]*\s*[:\-–—]\s*[*_]*\s*/i;
/** Where an explanation starts inside the prompt's paragraph. */
const EXPLANATION =
  /\s*(?:\((?:note|this|i |here)[^)]*\)?|\b(?:note|explanation|notes)\s*:|\bthis (?:prompt|version|rewrite|rewritten prompt)\b|\bi (?:kept|added|have|'ve|chose|focused|emphasi[sz]ed)\b|\bin this (?:version|prompt|rewrite)\b).*$/is;
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '«': '»', '„': '“', '`': '`' };

/** Removes a matched pair of quotes around the text; anything after the closing quote is commentary. */
function unquote(text: string): string {
  const close = QUOTES[text[0] ?? ''];
  if (!close) return text;
  const end = text.lastIndexOf(close);
  if (end <= 0) return text.slice(1);
  return text.slice(1, end).trim();
}

const stripEmphasis = (t: string) => t.replace(/^[*_]+|[*_]+$/g, '').trim();

/** Picks the paragraph that holds the prompt: the first one that is not a preamble or a bare label. */
function promptParagraph(text: string): string {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of paragraphs) {
    let rest = p.replace(COURTESY, '');
    const lines = rest.split('\n').map((l) => l.trim());
    // A first line that only introduces ("Here is your prompt:", "**Rewritten prompt:**") is dropped.
    while (lines.length > 1 && /:\s*[*_]*$/.test(lines[0]!) && rawWords(lines[0]!).length <= 10) lines.shift();
    rest = lines.join(' ').trim();
    if (!rest || (/:\s*[*_]*$/.test(rest) && rawWords(rest).length <= 12)) continue;
    if (rawWords(rest).length <= 3 && /[!.]$/.test(rest) && COURTESY.test(p)) continue;
    return rest;
  }
  return '';
}

/** Cuts to the first `max` words, keeping the original spacing, and trims a dangling joint. */
export function capWords(text: string, max = REWRITE_MAX_WORDS): CleanedAnswer {
  const re = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;
  let count = 0;
  let end = -1;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    count++;
    if (count === max) end = m.index + m[0].length;
    if (count > max) {
      const cut = text
        .slice(0, end)
        .replace(/[\s,;:–—-]+$/u, '')
        .replace(/\s+(?:and|or|with|of|in|on|at|to|the|a|an|by|for|from)$/i, '')
        .replace(/[\s,;:]+$/u, '');
      return { text: cut, cut: true };
    }
  }
  return { text, cut: false };
}

/** The prompt inside a chat model's answer: no fences, preambles, labels, quotes or notes; capped. */
export function cleanAnswer(raw: string, maxWords = REWRITE_MAX_WORDS): CleanedAnswer {
  let text = raw.replace(/\r\n?/g, '\n').trim();
  const fenced = FENCE.exec(text);
  if (fenced?.[1]?.trim()) text = fenced[1].trim();
  text = promptParagraph(text);
  // Peel layers until nothing changes: "Sure! Here is it: **Prompt:** "…"" has four.
  for (let prev = ''; prev !== text; ) {
    prev = text;
    text = stripEmphasis(text.replace(COURTESY, '').replace(PREAMBLE, '').replace(LABEL, '').replace(/^[-•]\s+|^\d+[.)]\s+/, ''));
    text = unquote(text);
  }
  text = text.replace(EXPLANATION, '').trim();
  text = unquote(text).replace(/\s+/g, ' ').trim();
  return capWords(text, maxWords);
}

/** Same text for the purpose of "did the model just echo the prompt?": case, spacing, punctuation aside. */
export function sameText(a: string, b: string): boolean {
  const norm = (s: string) => rawWords(s).join(' ').toLowerCase();
  return norm(a) === norm(b);
}
