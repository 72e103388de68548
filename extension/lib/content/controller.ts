import { readEditorText, sameEditorText } from '../editor/read.ts';
import { EditorWriteError, writeEditorText } from '../editor/write.ts';
import type { ErrorBody } from '../messages/errors.ts';
import { RewritePortOut, type RewriteDone, type RewritePortIn } from '../messages/protocol.ts';

/**
 * The inline rewrite flow on one page, independent of how it is drawn:
 *   idle → streaming (the LLM's text arrives) → ready (diff shown) → applied (accept) → idle (undo)
 * with retry from ready/error and discard from anywhere. It runs only on a trusted gesture (the caller
 * checks `event.isTrusted`, or the browser's own command shortcut), reads the prompt box, streams the
 * rewrite over a port to the background and writes the accepted text back so the site's editor sees it.
 */
export type Phase =
  | { name: 'idle' }
  | { name: 'streaming'; base: string; text: string; /** Two candidates' texts, in shown order. */ texts?: [string, string] }
  | { name: 'ready'; base: string; result: RewriteDone }
  | { name: 'error'; base?: string; error: ErrorBody }
  | { name: 'applied'; base: string; result: RewriteDone };

/** The part of `runtime.Port` the flow uses. */
export interface PortLike {
  postMessage(message: RewritePortIn): void;
  disconnect(): void;
  onMessage: { addListener(fn: (message: unknown) => void): void };
  onDisconnect: { addListener(fn: () => void): void };
}

export interface RewriterDeps {
  openPort(): PortLike;
  reportOutcome(logId: number, outcome: 'accepted' | 'undone' | 'discarded'): Promise<unknown>;
  /** The person took candidate `chosen` over `other` (kept as a vote). */
  reportChoice(chosen: number, other: number): Promise<unknown>;
  pageUrl(): string;
}

export class InlineRewriter {
  phase: Phase = { name: 'idle' };
  editor: HTMLElement | null = null;
  private port: PortLike | undefined;
  private listeners = new Set<(phase: Phase) => void>();
  private appliedTo: HTMLElement | null = null;

  constructor(private readonly deps: RewriterDeps) {}

  subscribe(fn: (phase: Phase) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(phase: Phase): void {
    this.phase = phase;
    for (const fn of this.listeners) fn(phase);
  }

  setEditor(el: HTMLElement | null): void {
    if (el === this.editor) return;
    this.editor = el;
    if (this.phase.name === 'streaming' || this.phase.name === 'ready') this.discard();
  }

  get busy(): boolean {
    return this.phase.name === 'streaming';
  }

  /** Reads the prompt box and asks the background for a rewrite. */
  start(trigger: 'button' | 'shortcut', base?: string): void {
    if (this.busy) return;
    const editor = this.editor;
    if (!editor) {
      this.set({ name: 'error', error: { code: 'no-editor', message: 'click into the prompt box first, then press the shortcut again' } });
      return;
    }
    const prompt = (base ?? readEditorText(editor)).trim();
    if (!prompt) {
      this.set({ name: 'error', error: { code: 'empty-prompt', message: 'the prompt box is empty: type a prompt, then rewrite it' } });
      return;
    }
    this.closePort();
    const port = this.deps.openPort();
    this.port = port;
    this.set({ name: 'streaming', base: prompt, text: '' });
    port.onMessage.addListener((raw) => {
      if (port !== this.port) return;
      const msg = RewritePortOut.safeParse(raw);
      if (!msg.success) return;
      const m = msg.data;
      if ((m.type === 'delta' || m.type === 'restart') && this.phase.name === 'streaming') {
        const add = m.type === 'delta' ? m.text : undefined;
        if (m.candidate === undefined) this.set({ ...this.phase, text: add === undefined ? '' : this.phase.text + add });
        else {
          const texts: [string, string] = [...(this.phase.texts ?? ['', ''])];
          texts[m.candidate] = add === undefined ? '' : texts[m.candidate] + add;
          this.set({ ...this.phase, texts });
        }
      }
      else if (m.type === 'done') {
        this.closePort();
        this.set({ name: 'ready', base: prompt, result: m.result });
      } else if (m.type === 'error') {
        this.closePort();
        this.set({ name: 'error', base: prompt, error: m.error });
      }
    });
    port.onDisconnect.addListener(() => {
      if (port !== this.port) return;
      this.port = undefined;
      if (this.phase.name === 'streaming') {
        this.set({ name: 'error', base: prompt, error: { code: 'disconnected', message: "ZIPP's background stopped answering: try again" } });
      }
    });
    port.postMessage({ type: 'start', url: this.deps.pageUrl(), prompt, trigger });
  }

  /** Every log id of the rewrite(s) on show. */
  private shownLogIds(result: RewriteDone): number[] {
    return result.candidates ? result.candidates.map((c) => c.logId) : [result.logId];
  }

  retry(): void {
    const base = this.phase.name === 'ready' || this.phase.name === 'error' ? this.phase.base : undefined;
    if (base) {
      if (this.phase.name === 'ready') for (const id of this.shownLogIds(this.phase.result)) void this.deps.reportOutcome(id, 'discarded').catch(() => {});
      this.set({ name: 'idle' });
      this.start('button', base);
    }
  }

  /** Writes the rewrite (with two candidates: the one at `index`) into the prompt box. */
  async accept(index: 0 | 1 = 0): Promise<void> {
    if (this.phase.name !== 'ready' || !this.editor) return;
    const { base } = this.phase;
    const pair = this.phase.result.candidates;
    const result: RewriteDone = pair ? pair[index] : this.phase.result;
    try {
      await writeEditorText(this.editor, result.rewritten);
    } catch (err) {
      const message = err instanceof EditorWriteError ? err.message : `writing the rewrite failed: ${(err as Error).message}`;
      this.set({ name: 'error', base, error: { code: 'write-failed', message } });
      return;
    }
    this.appliedTo = this.editor;
    this.set({ name: 'applied', base, result });
    if (pair) void this.deps.reportChoice(result.logId, pair[1 - index]!.logId).catch(() => {});
    else void this.deps.reportOutcome(result.logId, 'accepted').catch(() => {});
  }

  /** Puts the original prompt back (the Undo button, or Ctrl+Z right after accepting). */
  async undo(): Promise<void> {
    if (this.phase.name !== 'applied' || !this.appliedTo) return;
    const { base, result } = this.phase;
    const editor = this.appliedTo;
    this.appliedTo = null;
    this.set({ name: 'idle' });
    await writeEditorText(editor, base);
    void this.deps.reportOutcome(result.logId, 'undone').catch(() => {});
  }

  discard(): void {
    if (this.phase.name === 'ready') for (const id of this.shownLogIds(this.phase.result)) void this.deps.reportOutcome(id, 'discarded').catch(() => {});
    this.closePort(true);
    this.appliedTo = null;
    this.set({ name: 'idle' });
  }

  /**
   * Ctrl/Cmd+Z in the prompt box right after accepting restores the original prompt, on every editor
   * kind (a value set by script is not on a textarea's native undo stack). Once the person has edited
   * the rewrite, Ctrl+Z is the editor's own again.
   */
  onKeydown(e: KeyboardEvent): void {
    if (!e.isTrusted || this.phase.name !== 'applied' || !this.appliedTo) return;
    const undoKey = (e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'z';
    if (!undoKey) return;
    const target = e.target as Node | null;
    if (!target || !(this.appliedTo === target || this.appliedTo.contains(target))) return;
    if (!sameEditorText(readEditorText(this.appliedTo), this.phase.result.rewritten)) {
      this.appliedTo = null;
      this.set({ name: 'idle' });
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    void this.undo();
  }

  /** The rewrite stays undoable only while the box still holds it. */
  checkStillApplied(): void {
    if (this.phase.name === 'applied' && this.appliedTo && !sameEditorText(readEditorText(this.appliedTo), this.phase.result.rewritten)) {
      this.appliedTo = null;
      this.set({ name: 'idle' });
    }
  }

  private closePort(cancel = false): void {
    const port = this.port;
    this.port = undefined;
    if (!port) return;
    if (cancel) {
      try {
        port.postMessage({ type: 'cancel' });
      } catch {
        /* already gone */
      }
    }
    port.disconnect();
  }
}
