/**
 * Cleaning of one piece of user text (a post or comment) before it may become persona evidence.
 * The rules come from the verbalization step: no removed/deleted content, no URLs or user mentions (they
 * identify people and carry no interest signal), nothing under five words (too little to say anything).
 */

/** The minimum number of words a cleaned text needs to count as evidence. */
export const MIN_EVIDENCE_WORDS = 5;

/** "[deleted]", "[removed]", "[ Removed by Reddit ]", "[removed by moderator]" and the like. */
const REMOVED_MARKER = /^\[\s*(?:deleted|removed)\b[^\]]*\]$/i;

/** Markdown link whose label we keep: [label](https://…). */
const MARKDOWN_LINK = /\[([^\]\n]*)\]\(\s*(?:https?:\/\/|www\.)[^)\s]*\s*\)/gi;
/** Bare URLs: scheme or www. prefix, up to the next whitespace. */
const URL = /\b(?:https?:\/\/|www\.)[^\s<>()\]]+/gi;
/** u/name, /u/name (Reddit) and @name (most other sites); an e-mail's "@" has a letter before it. */
const MENTION = /(?<![\w/])\/?u\/[A-Za-z0-9_-]{2,}|(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,}/g;
/** Lines quoting someone else (Markdown "> …"): another person's words, not the user's. */
const QUOTE_LINE = /^\s*(?:>|&gt;).*$/gm;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

/** Decodes the few HTML entities Reddit's API leaves in text ("&amp;" → "&"). */
export function decodeEntities(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39|nbsp);/g, (e) => ENTITIES[e] ?? e).replace(/&#x200B;/gi, ' ');
}

export function isRemovedText(text: string): boolean {
  return REMOVED_MARKER.test(text.trim());
}

/** Removes URLs (keeping Markdown link labels) and user mentions. */
export function stripUrlsAndMentions(text: string): string {
  return text.replace(MARKDOWN_LINK, '$1').replace(URL, ' ').replace(MENTION, ' ');
}

export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;
}

export type DropReason = 'removed' | 'short';

export type CleanResult = { ok: true; text: string } | { ok: false; reason: DropReason };

/**
 * The evidence-ready form of one text, or why it was dropped. Quoted lines, URLs and mentions go,
 * HTML entities (as Reddit's API escapes them) are decoded, whitespace is collapsed.
 */
export function cleanEvidenceText(raw: string, minWords = MIN_EVIDENCE_WORDS): CleanResult {
  if (isRemovedText(raw)) return { ok: false, reason: 'removed' };
  const text = decodeEntities(stripUrlsAndMentions(raw.replace(QUOTE_LINE, ' ')))
    .replace(/\s+/g, ' ')
    .trim();
  if (countWords(text) < minWords) return { ok: false, reason: 'short' };
  return { ok: true, text };
}
