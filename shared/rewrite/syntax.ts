import type { PromptSyntax } from '../schemas/rewrite.ts';

/**
 * Prompt syntax that must survive a rewrite byte for byte. Image sites read more than words: Midjourney
 * takes image URLs at the start, `--ar 16:9 --stylize 250 --v 6.1 --no text --sref URL` at the end, `::`
 * weights and `{a, b}` permutations; Stable Diffusion front ends (AUTOMATIC1111/Forge, ComfyUI, Civitai)
 * take `(word:1.2)` emphasis, `[from:to:when]` editing, `<lora:name:0.8>` tags, `embedding:name`, `BREAK`.
 * An LLM asked to rewrite such a prompt paraphrases, reorders or drops them. So they are split off before
 * the model sees the prompt and put back afterwards:
 * - Midjourney's leading image URLs (`prefix`) and trailing parameters (`suffix`, from the first `--name`
 *   to the end, as Midjourney requires) never reach the model; they are put back around the rewrite;
 * - every other piece becomes a placeholder `⟦n⟧` that the model is asked to keep where it fits; each is
 *   replaced by its exact original text, and one the model lost is added back at the end (with a warning).
 * Syntax the model invents is not kept where it would clash (a second set of Midjourney parameters).
 */
export type ResolvedSyntax = Exclude<PromptSyntax, 'auto'>;

export interface SyntaxSplit {
  syntax: ResolvedSyntax;
  /** What the model sees: the prompt without prefix and suffix, each inline piece as ⟦n⟧. */
  text: string;
  /** Midjourney: the leading image prompts, with the whitespace after them ('' otherwise). */
  prefix: string;
  /** Midjourney: the parameters from the first `--name` on, with the whitespace before them ('' otherwise). */
  suffix: string;
  /** Inline pieces; ⟦n⟧ stands for pieces[n - 1]. */
  pieces: string[];
}

export interface RestoredPrompt {
  text: string;
  warnings: string[];
}

const placeholder = (n: number) => `⟦${n}⟧`;
const PLACEHOLDER = /⟦(\d+)⟧/g;
/** A Midjourney parameter starts a whitespace-separated word: `--ar`, or `—ar` where a keyboard turned -- into an em dash. */
const MJ_PARAM = /(^|\s)(?:--|—)[a-z]/i;
const MJ_IMAGE_PREFIX = /^(?:\s*<?https?:\/\/[^\s>]+>?)+\s+/i;

/** Which syntax a prompt is written in, from the marks only that syntax uses. */
export function detectSyntax(prompt: string): ResolvedSyntax {
  if (MJ_PARAM.test(prompt) || /::/.test(prompt) || (MJ_IMAGE_PREFIX.test(prompt) && prompt.replace(MJ_IMAGE_PREFIX, '').trim() !== '')) return 'midjourney';
  if (/<[a-z]+:[^<>]+>|\([^()]*:\s*-?\d*\.?\d+\s*\)|\[[^[\]]*:[^[\]]*\]|\bBREAK\b|\bembedding:/i.test(prompt)) return 'stable-diffusion';
  return 'none';
}

/** End of the balanced group opening at `start` (`(`, `[` or `{`), or -1; backslash-escaped brackets are literal. */
function groupEnd(s: string, start: number): number {
  const open = s[start]!;
  const close = open === '(' ? ')' : open === '[' ? ']' : '}';
  let depth = 0;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i;
  }
  return -1;
}

/** Inline pieces of one syntax, left to right, as [start, end) ranges. */
function inlineRanges(s: string, syntax: ResolvedSyntax): [number, number][] {
  const ranges: [number, number][] = [];
  if (syntax === 'midjourney') {
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '{') {
        const end = groupEnd(s, i);
        if (end > 0) {
          ranges.push([i, end + 1]);
          i = end;
        }
      } else if (s.startsWith('::', i)) {
        const m = /^::\s*-?(?:\d+(?:\.\d*)?|\.\d+)?/.exec(s.slice(i))!;
        ranges.push([i, i + m[0].length]);
        i += m[0].length - 1;
      }
    }
    return ranges;
  }
  if (syntax === 'stable-diffusion') {
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '(' || c === '[' || c === '{') {
        const end = groupEnd(s, i);
        if (end > 0) {
          ranges.push([i, end + 1]);
          i = end;
        }
        continue;
      }
      const rest = s.slice(i);
      const tag = /^<[a-z][\w-]*:[^<>]+>/i.exec(rest);
      const embedding = /^embedding:[\w.-]+(?::-?\d*\.?\d+)?/i.exec(rest);
      const brk = /^BREAK\b/.exec(rest);
      const atWordStart = i === 0 || /[\s,]/.test(s[i - 1]!);
      const m = tag ?? (atWordStart ? (embedding ?? brk) : null);
      if (m) {
        ranges.push([i, i + m[0].length]);
        i += m[0].length - 1;
      }
    }
  }
  return ranges;
}

/** Splits a prompt into what the model may rewrite and the syntax that must come back as it was. */
export function splitPrompt(prompt: string, syntax: PromptSyntax = 'auto'): SyntaxSplit {
  const resolved = syntax === 'auto' ? detectSyntax(prompt) : syntax;
  let body = prompt;
  let prefix = '';
  let suffix = '';
  if (resolved === 'midjourney') {
    const lead = MJ_IMAGE_PREFIX.exec(body);
    if (lead) {
      prefix = lead[0];
      body = body.slice(prefix.length);
    }
    const param = MJ_PARAM.exec(body);
    if (param) {
      suffix = body.slice(param.index);
      body = body.slice(0, param.index);
    }
  }
  const pieces: string[] = [];
  let text = '';
  let at = 0;
  for (const [start, end] of inlineRanges(body, resolved)) {
    text += body.slice(at, start);
    pieces.push(body.slice(start, end));
    text += placeholder(pieces.length);
    at = end;
  }
  text += body.slice(at);
  return { syntax: resolved, text, prefix, suffix, pieces };
}

/** Whether the split took anything off (a prompt without such syntax goes to the model unchanged). */
export const hasSyntax = (split: SyntaxSplit) => split.prefix !== '' || split.suffix !== '' || split.pieces.length > 0;

/** Text the model sees in few-shot examples: the words only, no syntax and no placeholders. */
export function syntaxFree(prompt: string, syntax: PromptSyntax = 'auto'): string {
  const split = splitPrompt(prompt, syntax);
  return tidy(split.text.replace(PLACEHOLDER, ' '));
}

/** Spaces and commas left behind where pieces were taken out or moved. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\s+,/g, ',')
    .replace(/,(\s*,)+/g, ',')
    .replace(/^[\s,]+|[\s,]+$/g, '');
}

/**
 * The model's answer with the syntax put back: each ⟦n⟧ becomes its original piece (a repeat is dropped,
 * an unknown number removed), lost pieces go at the end, Midjourney's prefix and suffix around it all.
 */
export function restorePrompt(answer: string, split: SyntaxSplit): RestoredPrompt {
  const warnings: string[] = [];
  let body = answer;
  if (split.syntax === 'midjourney') {
    const invented = MJ_PARAM.exec(body);
    if (invented) {
      warnings.push(`left out parameters the model added (${body.slice(invented.index).trim()}); the prompt keeps its own`);
      body = body.slice(0, invented.index);
    }
  }
  const used = new Set<number>();
  body = body.replace(PLACEHOLDER, (_, digits: string) => {
    const n = Number(digits);
    if (n < 1 || n > split.pieces.length || used.has(n)) return '';
    used.add(n);
    return split.pieces[n - 1]!;
  });
  const lost = split.pieces.filter((_, i) => !used.has(i + 1));
  if (split.pieces.length) body = tidy(body);
  else body = body.trim();
  if (lost.length) {
    warnings.push(`the model dropped ${lost.length === 1 ? 'a piece' : `${lost.length} pieces`} of the prompt's syntax (${lost.join(' ')}); added back at the end`);
    body = `${body}${split.syntax === 'stable-diffusion' ? ', ' : ' '}${lost.join(split.syntax === 'stable-diffusion' ? ', ' : ' ')}`;
  }
  return { text: `${split.prefix}${body}${split.suffix}`, warnings };
}

/**
 * Streamed deltas with the syntax put back as they arrive: the prefix first, each complete ⟦n⟧ as its
 * piece, a placeholder cut between two deltas held until it closes, and the suffix at the end.
 */
export function restoringStream(split: SyntaxSplit): { feed(delta: string): string; end(): string } {
  let started = false;
  let held = '';
  const swap = (s: string) => s.replace(PLACEHOLDER, (m, d: string) => split.pieces[Number(d) - 1] ?? m);
  return {
    feed(delta) {
      let out = started ? '' : split.prefix;
      started = true;
      held += delta;
      const open = held.lastIndexOf('⟦');
      const cut = open >= 0 && !held.slice(open).includes('⟧') ? open : held.length;
      out += swap(held.slice(0, cut));
      held = held.slice(cut);
      return out;
    },
    end() {
      const out = (started ? '' : split.prefix) + swap(held) + split.suffix;
      held = '';
      started = false;
      return out;
    },
  };
}

/** The note the model gets with a prompt that has placeholders. */
export const syntaxNote = (split: SyntaxSplit) =>
  split.pieces.length === 0
    ? undefined
    : `The base prompt holds ${split.pieces.length === 1 ? 'a placeholder' : 'placeholders'} (${split.pieces.map((_, i) => placeholder(i + 1)).join(' ')}) for the image site's own syntax. Keep each one exactly as written, once, next to the words it belongs with.`;
