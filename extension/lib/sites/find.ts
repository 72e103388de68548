import { editorRootOf, isUsableEditor } from '../editor/kind.ts';
import type { SiteAdapter } from './catalog.ts';

const EDITABLE = 'textarea, input[type="text"], input:not([type]), [contenteditable]:not([contenteditable="false"])';
const PROMPT_HINT = /prompt|imagine|describe|create|generate/i;

/** querySelectorAll that also looks inside open shadow roots (closed ones are out of reach by design). */
export function queryAllDeep(root: Document | ShadowRoot | Element, selector: string): Element[] {
  const found = [...root.querySelectorAll(selector)];
  const walker = (root.nodeType === 9 ? (root as Document) : root.ownerDocument!).createTreeWalker(root, 1);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const shadow = (node as Element).shadowRoot;
    if (shadow) found.push(...queryAllDeep(shadow, selector));
  }
  return found;
}

function candidates(doc: Document, selector: string, deep: boolean): HTMLElement[] {
  const els = deep ? queryAllDeep(doc, selector) : [...doc.querySelectorAll(selector)];
  const roots = els.map((el) => editorRootOf(el)).filter((el): el is HTMLElement => el !== null);
  return [...new Set(roots)].filter(isUsableEditor);
}

function hintText(el: HTMLElement): string {
  return ['placeholder', 'aria-label', 'data-placeholder', 'id', 'name']
    .map((a) => el.getAttribute(a) ?? '')
    .join(' ');
}

/**
 * Fallback when no adapter selector matches: an editor whose placeholder, label, id or name mentions a
 * prompt, else the largest editor on the page.
 */
export function mostPromptLikeEditor(doc: Document, deep = false): HTMLElement | null {
  const all = candidates(doc, EDITABLE, deep);
  const hinted = all.find((el) => PROMPT_HINT.test(hintText(el)));
  if (hinted) return hinted;
  const area = (el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    return r.width * r.height;
  };
  return all.sort((a, b) => area(b) - area(a))[0] ?? null;
}

/**
 * How the prompt box was found: the selector the person picked for this site, one of the adapter's
 * selectors, or — the adapter's selectors all missed, so the site has probably changed — the most
 * prompt-like editor on the page (`fallback`, which the UI says out loud).
 */
export type FoundBy = 'picked' | 'adapter' | 'fallback';

export interface Located {
  box: HTMLElement | null;
  by: FoundBy | null;
  /** A picked selector that matched nothing on this page. */
  pickedMissing: boolean;
}

/** The site's prompt box: the picked selector, else the first adapter selector that matches, else the fallback. */
export function locatePromptBox(doc: Document, adapter: SiteAdapter | undefined, picked?: string): Located {
  const deep = adapter?.deep === true;
  let pickedMissing = false;
  if (picked) {
    let first: HTMLElement | undefined;
    try {
      [first] = candidates(doc, picked, deep);
    } catch {
      first = undefined; // a stored selector this browser cannot parse counts as missing
    }
    if (first) return { box: first, by: 'picked', pickedMissing: false };
    pickedMissing = true;
  }
  if (!adapter) return { box: null, by: null, pickedMissing };
  for (const selector of adapter.promptSelectors) {
    const [first] = candidates(doc, selector, deep);
    if (first) return { box: first, by: 'adapter', pickedMissing };
  }
  const fallback = mostPromptLikeEditor(doc, deep);
  return { box: fallback, by: fallback ? 'fallback' : null, pickedMissing };
}

/** The site's prompt box, however it was found. */
export function findPromptBox(doc: Document, adapter: SiteAdapter, picked?: string): HTMLElement | null {
  return locatePromptBox(doc, adapter, picked).box;
}

/**
 * True when `target` is (inside) a control that sends the prompt in `box`: one of the adapter's submit
 * controls, or — on any site — a submit button of the form the box is in.
 */
export function isSubmitControl(target: Element, box: HTMLElement, adapter?: SiteAdapter): boolean {
  if (adapter?.submitSelectors.some((s) => target.closest(s) !== null)) return true;
  const button = target.closest('button, input[type="submit"]') as HTMLButtonElement | HTMLInputElement | null;
  const form = box.closest('form');
  return button !== null && button.type === 'submit' && form !== null && button.form === form;
}
