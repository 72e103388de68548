import { editorKind } from './kind.ts';

const BLOCKS = new Set(['P', 'DIV', 'LI', 'UL', 'OL', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BLOCKQUOTE', 'PRE']);

/**
 * The text of a contenteditable editor, one line per paragraph. Rich editors keep a `<br>` as the last
 * child of an empty or trailing paragraph only so the caret has somewhere to sit; it is not a line break.
 * Walking the DOM (rather than `innerText`) gives the same answer with or without layout.
 */
function richText(root: HTMLElement): string {
  const lines: string[] = [];
  let line: string | null = null;
  const flush = () => {
    if (line !== null) lines.push(line);
    line = null;
  };
  const visit = (node: Node): void => {
    if (node.nodeType === 3) {
      line = (line ?? '') + (node as Text).data;
      return;
    }
    if (node.nodeType !== 1) return;
    const el = node as Element;
    if (el.getAttribute('contenteditable') === 'false' || el.getAttribute('aria-hidden') === 'true') return;
    if (el.tagName === 'BR') {
      const trailing = el.nextSibling === null && el.parentElement !== null && BLOCKS.has(el.parentElement.tagName);
      line = line ?? '';
      if (!trailing) {
        flush();
        line = '';
      }
      return;
    }
    if (BLOCKS.has(el.tagName)) {
      flush();
      el.childNodes.forEach(visit);
      line = line ?? '';
      flush();
      return;
    }
    el.childNodes.forEach(visit);
  };
  root.childNodes.forEach(visit);
  flush();
  return lines.join('\n').replace(/\u00a0/g, ' ');
}

/** The editor's current text as the person sees it. */
export function readEditorText(root: HTMLElement): string {
  const kind = editorKind(root);
  if (kind === 'textarea' || kind === 'input') return (root as HTMLTextAreaElement).value;
  return richText(root).replace(/\n+$/, '');
}

/**
 * Texts compare equal when they differ only in whitespace runs and the ends: the same text as an editor
 * holds it (not the rewrite core's echo check, sameText, which also ignores case and punctuation).
 */
export function sameEditorText(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  return norm(a) === norm(b);
}
