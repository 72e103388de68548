import { editorRootOf, isUsableEditor } from '../editor/kind.ts';
import type { SiteAdapter } from '../sites/catalog.ts';
import { findPromptBox } from '../sites/find.ts';

/**
 * Keeps track of the prompt box the inline button belongs to.
 * - On a supported site: the adapter's prompt box, looked up again whenever the page's DOM changes
 *   (single-page apps mount the editor late and replace it on navigation).
 * - In generic mode: the editor the person last focused (textarea, text input or contenteditable).
 */
export class PromptBoxTracker {
  private current: HTMLElement | null = null;
  private observer: MutationObserver | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onFocus = (e: FocusEvent) => {
    const root = editorRootOf((e.composedPath()[0] as Node | undefined) ?? (e.target as Node | null));
    if (root && isUsableEditor(root)) this.update(root);
  };

  constructor(
    private readonly doc: Document,
    private readonly adapter: SiteAdapter | undefined,
    private readonly onChange: (box: HTMLElement | null) => void,
  ) {}

  get box(): HTMLElement | null {
    return this.current;
  }

  start(): void {
    this.observer = new MutationObserver(() => this.schedule());
    this.observer.observe(this.doc.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['contenteditable', 'hidden', 'style', 'class', 'disabled'] });
    if (!this.adapter) this.doc.addEventListener('focusin', this.onFocus, true);
    this.rescan();
    const active = this.doc.activeElement;
    if (!this.adapter && active) this.onFocus({ composedPath: () => [active], target: active } as unknown as FocusEvent);
  }

  stop(): void {
    this.observer?.disconnect();
    this.doc.removeEventListener('focusin', this.onFocus, true);
    clearTimeout(this.timer);
    this.update(null);
  }

  /** DOM changes come in bursts; look again once they settle. */
  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.rescan();
    }, 100);
  }

  rescan(): void {
    if (this.adapter) this.update(findPromptBox(this.doc, this.adapter));
    else if (this.current && (!this.current.isConnected || !isUsableEditor(this.current))) this.update(null);
  }

  private update(box: HTMLElement | null): void {
    if (box === this.current) return;
    this.current = box;
    this.onChange(box);
  }
}
