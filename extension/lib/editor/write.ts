import { editorKind, type EditorKind } from './kind.ts';
import { readEditorText, sameEditorText } from './read.ts';
import { UnavailableError } from '../../../shared/errors.ts';

/** The new text did not land in the editor (the site's editor refused or rewrote it). */
export class EditorWriteError extends UnavailableError {
  constructor(readonly editor: EditorKind) {
    super(`ZIPP could not write into this ${editor} editor; use Copy in the preview and paste the rewrite yourself`);
  }
}

/**
 * React (and Vue, Svelte…) track a controlled field's value through the element's own `value` property.
 * Setting it through the prototype's setter and then firing `input` is what a keystroke looks like to
 * them, so the framework's state takes the new value instead of reverting it on the next render.
 */
function setControlledValue(el: HTMLTextAreaElement | HTMLInputElement, text: string): void {
  const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(el, text);
  else el.value = text;
  el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText', data: text }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}

/**
 * ProseMirror, Lexical and Quill keep a document model and rebuild the DOM from it, so changing the DOM
 * directly is undone on their next render. Selecting everything and inserting text through
 * `execCommand` goes through the browser's input pipeline (beforeinput → DOM change → input), the path
 * every such editor listens to.
 */
async function insertThroughInputPipeline(root: HTMLElement, text: string): Promise<void> {
  const doc = root.ownerDocument;
  root.focus();
  const selection = doc.getSelection();
  if (selection) {
    // Lexical (and ProseMirror) map the DOM selection into their model on `selectionchange`, which the
    // browser fires asynchronously; inserting before it arrives would replace their stale selection.
    const changed = new Promise<void>((resolve) => {
      const done = () => resolve();
      doc.addEventListener('selectionchange', done, { once: true });
      setTimeout(done, 50);
    });
    const range = doc.createRange();
    range.selectNodeContents(root);
    selection.removeAllRanges();
    selection.addRange(range);
    await changed;
  }
  if (text === '') {
    doc.execCommand('delete', false);
    return;
  }
  text.split('\n').forEach((line, i) => {
    if (i > 0) doc.execCommand('insertParagraph', false);
    if (line) doc.execCommand('insertText', false, line);
  });
}

const nextFrame = (win: Window) =>
  new Promise<void>((resolve) => {
    if (typeof win.requestAnimationFrame === 'function') win.requestAnimationFrame(() => resolve());
    else setTimeout(resolve, 16);
  });

/**
 * Replaces the editor's whole text with `text` and waits until the editor shows it (rich editors apply
 * input asynchronously). Throws EditorWriteError when it does not land within a few frames.
 */
export async function writeEditorText(root: HTMLElement, text: string): Promise<void> {
  const kind = editorKind(root);
  if (kind === 'textarea' || kind === 'input') setControlledValue(root as HTMLTextAreaElement, text);
  else await insertThroughInputPipeline(root, text);
  const win = root.ownerDocument.defaultView ?? window;
  for (let i = 0; i < 10; i++) {
    if (sameEditorText(readEditorText(root), text)) return;
    await nextFrame(win);
  }
  throw new EditorWriteError(kind);
}
