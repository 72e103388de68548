import { createRoot, type Root } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { InlineApp } from '../../components/inline/InlineApp.tsx';
import { inlineStyles } from '../../components/inline/styles.ts';
import { editorRootOf } from '../../lib/editor/kind.ts';
import { readEditorText, sameEditorText } from '../../lib/editor/read.ts';
import { callBackground } from '../../lib/messages/client.ts';
import { REWRITE_PORT, type SiteState } from '../../lib/messages/protocol.ts';
import { adapterById } from '../../lib/sites/catalog.ts';
import { isSubmitControl } from '../../lib/sites/find.ts';
import { mountClosedHost, type ClosedHost } from '../../lib/content/closed-host.ts';
import { InlineRewriter, type PortLike } from '../../lib/content/controller.ts';
import { BoxPicker } from '../../lib/content/picker.ts';
import { PromptBoxTracker, type BoxState } from '../../lib/content/tracker.ts';
import type { BoxStatus } from '../../lib/messages/protocol.ts';
import { selectorFor } from '../../lib/sites/selector.ts';
import type { Notice, Picking } from '../../components/inline/InlineApp.tsx';

/** The in-page fallback for the shortcut when the browser did not take it as an extension command. */
export function isShortcut(e: KeyboardEvent): boolean {
  return e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyR';
}

/**
 * ZIPP on one page while it is switched on: the button and panel (in a closed shadow root), the prompt box
 * tracker, the shortcut and Ctrl+Z handling, and history capture where the person opted in.
 */
export class InlineSession {
  readonly rewriter: InlineRewriter;
  private tracker: PromptBoxTracker | undefined;
  private host: ClosedHost | undefined;
  private root: Root | undefined;
  private readonly cleanups: (() => void)[] = [];
  private picker: BoxPicker | undefined;
  private picking: Picking | undefined;
  private notice: Notice | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private state: SiteState) {
    this.rewriter = new InlineRewriter({
      openPort: () => browser.runtime.connect({ name: REWRITE_PORT }) as unknown as PortLike,
      reportOutcome: (logId, outcome) => callBackground('rewrite/outcome', { logId, outcome }),
      reportChoice: (chosen, other) => callBackground('rewrite/choose', { chosen, other }),
      pageUrl: () => location.href,
    });
  }

  async start(): Promise<void> {
    this.host = mountClosedHost(inlineStyles);
    this.root = createRoot(this.host.container);
    const adapter = this.state.adapter === 'generic' ? undefined : adapterById(this.state.adapter);
    this.tracker = new PromptBoxTracker(
      document,
      adapter,
      (found) => {
        this.rewriter.setEditor(found.box);
        this.noticeFor(found);
        this.render();
      },
      this.state.picked,
    );
    this.tracker.start();
    this.listen(window, 'keydown', (e) => this.onKeydown(e as KeyboardEvent), true);
    this.listen(document, 'input', () => this.rewriter.checkStillApplied(), true);
    this.listen(document, 'click', (e) => this.onClick(e as MouseEvent), true);
    this.render();
  }

  update(state: SiteState): void {
    const repick = state.picked !== this.state.picked;
    this.state = state;
    if (repick) this.tracker?.setPicked(state.picked);
    this.render();
  }

  /** What the popup shows: whether this page's prompt box was found, and how. */
  status(): BoxStatus {
    const found = this.tracker?.current;
    return {
      active: true,
      found: found?.box != null,
      by: found?.by ?? null,
      ...(this.state.picked ? { picked: this.state.picked } : {}),
      pickedMissing: found?.pickedMissing ?? false,
    };
  }

  /** "Pick the prompt box" (from the popup): highlight under the pointer, a click picks. */
  pick(): void {
    this.picker?.stop();
    this.rewriter.discard();
    this.picking = { rect: null };
    this.picker = new BoxPicker(window, {
      onHover: (editor) => {
        this.picking = { rect: editor?.getBoundingClientRect() ?? null };
        this.render();
      },
      onPick: (editor) => {
        this.picking = undefined;
        this.picker = undefined;
        const { selector, stable } = selectorFor(editor);
        this.render();
        // Said once the background has stored it, so "from now on" holds even for a reload right after.
        void callBackground('sites/pick', { url: location.href, selector }).then(
          () =>
            this.setNotice({
              kind: 'picked',
              text: `ZIPP will use this box on ${this.state.label} from now on${stable ? '' : " (found by its place in the page, which may change: pick it again if ZIPP loses it)"}.`,
            }),
          (err: Error) => this.setNotice({ kind: 'error', text: `could not keep the box: ${err.message}` }),
        );
      },
      onCancel: () => {
        this.picking = undefined;
        this.picker = undefined;
        this.render();
      },
    });
    this.picker.start();
    this.render();
  }

  /** Resolves once the background has forgotten the pick (its site-changed event follows). */
  async forgetPick(): Promise<void> {
    await callBackground('sites/pick', { url: location.href, selector: null });
  }

  /** Said near the button: the adapter missed (the site changed), or the picked box is not on this page. */
  private noticeFor(found: BoxState): void {
    if (found.by === 'fallback') {
      this.setNotice({
        kind: 'fallback',
        text: `ZIPP's usual prompt box for ${this.state.label} is not on this page (the site may have changed): it is using the most prompt-like box. Wrong one? Click into the right box, or pick it from ZIPP's toolbar button.`,
      });
    } else if (found.pickedMissing) {
      this.setNotice({ kind: 'picked-missing', text: `The prompt box you picked on ${this.state.label} is not on this page. Click into the box, or pick it again from ZIPP's toolbar button.` });
    } else if (this.notice?.kind === 'fallback' || this.notice?.kind === 'picked-missing') this.setNotice(undefined);
  }

  private setNotice(notice: Notice | undefined): void {
    this.notice = notice;
    clearTimeout(this.noticeTimer);
    // A note about what happened steps aside; one about the page stays while it holds.
    if (notice && (notice.kind === 'picked' || notice.kind === 'error')) {
      this.noticeTimer = setTimeout(() => {
        this.notice = undefined;
        this.render();
      }, 8000);
    }
    this.render();
  }

  stop(): void {
    this.picker?.stop();
    clearTimeout(this.noticeTimer);
    this.rewriter.discard();
    this.tracker?.stop();
    for (const fn of this.cleanups.splice(0)) fn();
    this.root?.unmount();
    this.host?.remove();
    this.root = undefined;
    this.host = undefined;
  }

  /** The browser's command shortcut (relayed by the background) — a user gesture by construction. */
  shortcut(): void {
    const focused = editorRootOf(document.activeElement);
    if (focused && (!this.tracker?.box || this.state.adapter === 'generic')) this.rewriter.setEditor(focused);
    this.rewriter.start('shortcut');
  }

  private listen(target: EventTarget, type: string, fn: (e: Event) => void, capture: boolean): void {
    target.addEventListener(type, fn, capture);
    this.cleanups.push(() => target.removeEventListener(type, fn, capture));
  }

  private render(): void {
    this.root?.render(
      <InlineApp
        rewriter={this.rewriter}
        editor={this.tracker?.box ?? null}
        shortcut={this.state.shortcut}
        picking={this.picking}
        notice={this.notice}
        onDismissNotice={() => this.setNotice(undefined)}
        onOpenOptions={() => void callBackground('options/open', {}).catch(() => {})}
      />,
    );
  }

  private onKeydown(e: KeyboardEvent): void {
    if (!e.isTrusted) return;
    this.rewriter.onKeydown(e);
    if (e.defaultPrevented) return;
    if (isShortcut(e)) {
      const root = editorRootOf(e.composedPath()[0] as Node);
      if (!root && !this.tracker?.box) return;
      e.preventDefault();
      if (root) this.rewriter.setEditor(root);
      this.rewriter.start('shortcut');
      return;
    }
    const box = this.tracker?.box;
    if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && !e.isComposing && box?.contains(e.composedPath()[0] as Node)) {
      this.capture(box);
    }
  }

  private onClick(e: MouseEvent): void {
    const box = this.tracker?.box;
    if (e.isTrusted && box && isSubmitControl(e.target as Element, box, adapterById(this.state.adapter))) this.capture(box);
  }

  /**
   * Keeps the submitted prompt as a few-shot example (only where the person opted in). When it is the
   * rewrite ZIPP just wrote, the person's own prompt is kept instead, so history stays their writing.
   */
  private capture(box: HTMLElement): void {
    if (!this.state.capture) return;
    const phase = this.rewriter.phase;
    let prompt = readEditorText(box).trim();
    if (phase.name === 'applied' && sameEditorText(prompt, phase.result.rewritten)) prompt = phase.base;
    if (prompt) void callBackground('history/capture', { url: location.href, prompt }).catch(() => {});
  }
}
