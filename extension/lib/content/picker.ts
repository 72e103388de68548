import { editorRootOf, isUsableEditor } from '../editor/kind.ts';

/**
 * "Pick the prompt box": while it runs, the editor under the pointer is highlighted and a (trusted) click
 * on it picks it; Esc or a click elsewhere than an editor keeps waiting / cancels. The page's own handlers
 * see none of those clicks (they are stopped in the capture phase), so picking does not press the site's
 * buttons. What is drawn is the caller's business (`onHover`).
 */
export interface PickerCallbacks {
  /** The editor under the pointer (null: none), for the highlight. */
  onHover(editor: HTMLElement | null): void;
  onPick(editor: HTMLElement): void;
  onCancel(): void;
}

export class BoxPicker {
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly win: Window,
    private readonly callbacks: PickerCallbacks,
  ) {}

  start(): void {
    const on = <K extends keyof WindowEventMap>(type: K, fn: (e: WindowEventMap[K]) => void) => {
      this.win.addEventListener(type, fn, true);
      this.off.push(() => this.win.removeEventListener(type, fn, true));
    };
    const editorAt = (e: Event) => {
      const root = editorRootOf((e.composedPath()[0] as Node | undefined) ?? null);
      return root && isUsableEditor(root) ? root : null;
    };
    on('mousemove', (e) => {
      if (e.isTrusted) this.callbacks.onHover(editorAt(e));
    });
    for (const type of ['pointerdown', 'mousedown', 'mouseup', 'pointerup'] as const) {
      on(type, (e) => {
        if (!e.isTrusted) return;
        e.preventDefault();
        e.stopImmediatePropagation();
      });
    }
    on('click', (e) => {
      if (!e.isTrusted) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      const editor = editorAt(e);
      if (editor) {
        this.stop();
        this.callbacks.onPick(editor);
      }
    });
    on('keydown', (e) => {
      if (!e.isTrusted || e.key !== 'Escape') return;
      e.preventDefault();
      e.stopImmediatePropagation();
      this.stop();
      this.callbacks.onCancel();
    });
  }

  stop(): void {
    for (const fn of this.off.splice(0)) fn();
  }
}
