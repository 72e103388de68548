import { PERSONA_MAX_TOKENS } from '../schemas/persona.ts';
import { countTokens, cutToTokens } from '../text/tokens.ts';

/**
 * Output hygiene for a verbalized persona: models wrap the paragraph in labels ("Persona:"), quotes,
 * Markdown, bullet lists, preambles ("Here is a persona based on…") and closing notes. What comes out is
 * one plain paragraph that starts with "You", or a reason why the answer cannot be used.
 */

export type PersonaHygiene =
  | { ok: true; text: string }
  | { ok: false; reason: 'empty' | 'not-second-person'; text: string };

/** A line that is only a label or heading: "Persona:", "**Persona**", "# Your persona", "Here is …:". */
const LABEL_LINE = /^(?:#+\s*.*|\*\*[^*]+\*\*:?|(?:here(?:'s| is)|below is|sure|certainly|okay|ok)\b.*|[\p{L} ]{1,40}:)$/iu;
/** A label at the start of the paragraph itself: "Persona: You are …". */
const LEADING_LABEL = /^(?:\*\*|__)?(?:persona(?: description)?|description|profile|answer|output)(?:\*\*|__)?\s*[:—–-]\s*/iu;
/** Closing remarks that are about the answer, not the person. */
const TRAILER = /^(?:\(?note\b|this (?:persona|description|paragraph|version|answer|response|profile)\b|i (?:hope|have|avoided|kept|did)\b|let me know\b|feel free\b)/iu;
const BULLET = /^(?:[-*•·]|\d+[.)])\s+/u;
const QUOTES: [string, string][] = [['"', '"'], ['“', '”'], ["'", "'"], ['«', '»'], ['„', '“'], ['`', '`']];

export function cleanPersonaAnswer(raw: string): PersonaHygiene {
  const fenced = raw.replace(/```[\w-]*\n?([\s\S]*?)```/g, '$1');
  const lines = fenced.split(/\r?\n/).map((l) => l.trim());
  const kept: string[] = [];
  for (const line of lines) {
    if (!line) {
      kept.push('');
      continue;
    }
    if (LABEL_LINE.test(line) && !/^you\b/iu.test(line)) continue;
    if (TRAILER.test(line)) break;
    const content = line.replace(BULLET, '').replace(LEADING_LABEL, '');
    // A bullet item without end punctuation becomes a sentence of its own.
    kept.push(BULLET.test(line) && !/[.!?]$/.test(content) ? `${content}.` : content);
  }
  let text = kept.join(' ').replace(/\s+/g, ' ').trim();
  text = text.replace(/\*\*|__/g, '').replace(/(?<![\p{L}\p{N}])[*_](?=\S)|(?<=\S)[*_](?![\p{L}\p{N}])/gu, '');
  text = unquote(text.replace(LEADING_LABEL, ''));
  if (!text) return { ok: false, reason: 'empty', text };

  // Preamble sentences before the first "You …" sentence ("Based on the texts, here is a persona.") go.
  const youAt = text.search(/(?:^|(?<=[.!?:]\s))(?:["“]?)You\b/u);
  if (youAt > 0) text = unquote(text.slice(youAt));
  else if (youAt < 0 && /^you\b/u.test(text)) text = `Y${text.slice(1)}`;
  if (!/^You\b/u.test(text)) return { ok: false, reason: 'not-second-person', text };
  return { ok: true, text };
}

/** Strips one pair of wrapping quotes (repeatedly, for nested wrappers). */
function unquote(text: string): string {
  let t = text.trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [open, close] of QUOTES) {
      if (t.length >= 2 && t.startsWith(open) && t.endsWith(close) && !t.slice(1, -1).includes(close === open ? open : close)) {
        t = t.slice(1, -1).trim();
        changed = true;
      }
    }
  }
  return t;
}

/**
 * Cuts a persona over PERSONA_MAX_TOKENS (8,000) at a sentence end, with a warning to show: beyond that
 * length models start inventing details. Shorter text comes back unchanged.
 */
export function capPersonaLength(text: string, maxTokens = PERSONA_MAX_TOKENS): { text: string; tokens: number; warning?: string } {
  const tokens = countTokens(text);
  if (tokens <= maxTokens) return { text, tokens };
  const cut = cutToTokens(text, maxTokens, 'sentence');
  return { text: cut.text, tokens: cut.tokens, warning: `the persona had ${tokens} tokens; cut to ${cut.tokens} (limit ${maxTokens}: longer personas make models invent details)` };
}
