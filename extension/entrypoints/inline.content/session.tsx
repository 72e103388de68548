import { createRoot, type Root } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { InlineApp } from '../../components/inline/InlineApp.tsx';
import { inlineStyles } from '../../components/inline/styles.ts';
import { editorRootOf } from '../../lib/editor/kind.ts';
import { readEditorText, sameText } from '../../lib/editor/read.ts';
import { callBackground } from '../../lib/messages/client.ts';
import { REWRITE_PORT, type SiteState } from '../../lib/messages/protocol.ts';
import { adapterById } from '../../lib/sites/catalog.ts';
import { isSubmitControl } from '../../lib/sites/find.ts';
import { mountClosedHost, type ClosedHost } from '../../lib/content/closed-host.ts';
import { InlineRewriter, type PortLike } from '../../lib/content/controller.ts';
import { PromptBoxTracker } from '../../lib/content/tracker.ts';

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
    this.tracker = new PromptBoxTracker(document, adapter, (box) => {
      this.rewriter.setEditor(box);
      this.render();
    });
    this.tracker.start();
    this.listen(window, 'keydown', (e) => this.onKeydown(e as KeyboardEvent), true);
    this.listen(document, 'input', () => this.rewriter.checkStillApplied(), true);
    this.listen(document, 'click', (e) => this.onClick(e as MouseEvent), true);
    this.render();
  }

  update(state: SiteState): void {
    this.state = state;
    this.render();
  }

  stop(): void {
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
    if (phase.name === 'applied' && sameText(prompt, phase.result.rewritten)) prompt = phase.base;
    if (prompt) void callBackground('history/capture', { url: location.href, prompt }).catch(() => {});
  }
}
