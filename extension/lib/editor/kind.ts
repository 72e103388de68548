/**
 * Which kind of text editor an element is. The kind decides how ZIPP writes into it so the site's
 * framework sees the change (see write.ts).
 */
export type EditorKind = 'textarea' | 'input' | 'prosemirror' | 'lexical' | 'quill' | 'contenteditable';

const TEXT_INPUTS = new Set(['text', 'search', '']);

function isEditableHost(el: Element): boolean {
  const v = el.getAttribute('contenteditable');
  return v !== null && v !== 'false';
}

/**
 * The editor that owns `node`: the textarea / text input itself, or the outermost contenteditable
 * element around it (rich editors put nested editable nodes inside their root). Null when `node` is not
 * in an editor.
 */
export function editorRootOf(node: Node | null | undefined): HTMLElement | null {
  const el = node && (node.nodeType === 1 ? (node as Element) : node.parentElement);
  if (!el) return null;
  if (el.tagName === 'TEXTAREA') return el as HTMLElement;
  if (el.tagName === 'INPUT') return TEXT_INPUTS.has((el as HTMLInputElement).type) ? (el as HTMLElement) : null;
  let root: HTMLElement | null = null;
  for (let cur: Element | null = el; cur; cur = cur.parentElement) {
    if (isEditableHost(cur)) root = cur as HTMLElement;
    else if (cur.getAttribute('contenteditable') === 'false') break;
  }
  return root;
}

export function editorKind(root: HTMLElement): EditorKind {
  if (root.tagName === 'TEXTAREA') return 'textarea';
  if (root.tagName === 'INPUT') return 'input';
  if (root.classList.contains('ProseMirror')) return 'prosemirror';
  if (root.getAttribute('data-lexical-editor') === 'true') return 'lexical';
  if (root.classList.contains('ql-editor')) return 'quill';
  return 'contenteditable';
}

/** True for elements a person can see and type into (not hidden, not disabled, not read-only). */
export function isUsableEditor(el: HTMLElement): boolean {
  if ((el as HTMLTextAreaElement).disabled || (el as HTMLTextAreaElement).readOnly) return false;
  if (el.getAttribute('aria-hidden') === 'true' || el.hidden) return false;
  const view = el.ownerDocument.defaultView;
  const style = view?.getComputedStyle(el);
  if (style && (style.display === 'none' || style.visibility === 'hidden')) return false;
  return true;
}
