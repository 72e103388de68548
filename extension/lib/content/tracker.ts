import { editorRootOf, isUsableEditor } from '../editor/kind.ts';
import type { SiteAdapter } from '../sites/catalog.ts';
import { locatePromptBox, type FoundBy } from '../sites/find.ts';

/** How the current box was found: by `locatePromptBox`, or as the editor the person focused. */
export type BoxSource = FoundBy | 'focused';

export interface BoxState {
  box: HTMLElement | null;
  by: BoxSource | null;
  /** The selector picked for this site matched nothing on this page. */
  pickedMissing: boolean;
}

/**
 * Keeps track of the prompt box the inline button belongs to.
 * - With a selector the person picked for this site, or on a supported site: the box it (else the
 *   adapter, else the most prompt-like editor) finds, looked up again whenever the page's DOM changes
 *   (single-page apps mount the editor late and replace it on navigation).
 * - Otherwise (generic mode), and whenever the lookup finds nothing: the editor the person last focused
 *   (textarea, text input or contenteditable).
 */
export class PromptBoxTracker {
  private state: BoxState = { box: null, by: null, pickedMissing: false };
  private observer: MutationObserver | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onFocus = (e: FocusEvent) => {
    const root = editorRootOf((e.composedPath()[0] as Node | undefined) ?? (e.target as Node | null));
    if (root && isUsableEditor(root) && this.state.by !== 'picked' && this.state.by !== 'adapter') {
      this.update({ box: root, by: 'focused', pickedMissing: this.state.pickedMissing });
    }
  };

  constructor(
    private readonly doc: Document,
    private readonly adapter: SiteAdapter | undefined,
    private readonly onChange: (state: BoxState) => void,
    private picked: string | undefined = undefined,
  ) {}

  get box(): HTMLElement | null {
    return this.state.box;
  }

  get current(): BoxState {
    return this.state;
  }

  /** Whether the box is looked up (picked selector or adapter) rather than followed by focus. */
  private get locating(): boolean {
    return this.adapter !== undefined || this.picked !== undefined;
  }

  start(): void {
    this.observer = new MutationObserver(() => this.schedule());
    this.observer.observe(this.doc.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['contenteditable', 'hidden', 'style', 'class', 'disabled'] });
    this.doc.addEventListener('focusin', this.onFocus, true);
    this.rescan();
    const active = this.doc.activeElement;
    if (active && !this.state.box) this.onFocus({ composedPath: () => [active], target: active } as unknown as FocusEvent);
  }

  stop(): void {
    this.observer?.disconnect();
    this.doc.removeEventListener('focusin', this.onFocus, true);
    clearTimeout(this.timer);
    this.update({ box: null, by: null, pickedMissing: false });
  }

  /** A new picked selector for this site (undefined: forgotten): look again at once. */
  setPicked(selector: string | undefined): void {
    this.picked = selector;
    this.rescan();
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
    if (this.locating) {
      const found = locatePromptBox(this.doc, this.adapter, this.picked);
      // A box the person clicked into beats a guess (the fallback) and nothing at all.
      const keep = this.state.by === 'focused' && this.state.box?.isConnected === true && isUsableEditor(this.state.box);
      if (found.box && !(keep && found.by === 'fallback')) return this.update({ box: found.box, by: found.by, pickedMissing: found.pickedMissing });
      return this.update(keep ? { ...this.state, pickedMissing: found.pickedMissing } : { box: null, by: null, pickedMissing: found.pickedMissing });
    }
    if (this.state.box && (!this.state.box.isConnected || !isUsableEditor(this.state.box))) this.update({ box: null, by: null, pickedMissing: false });
  }

  private update(next: BoxState): void {
    if (next.box === this.state.box && next.by === this.state.by && next.pickedMissing === this.state.pickedMissing) return;
    this.state = next;
    this.onChange(next);
  }
}
