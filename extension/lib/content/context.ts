import { browser } from 'wxt/browser';

/**
 * ZIPP's content-script context, put in place of WXT's `ContentScriptContext` by an alias in
 * wxt.config.ts (WXT's entrypoint constructs "wxt/utils/content-script-context" before calling `main`).
 *
 * WXT's context announces every start to the page — `window.postMessage({type:
 * "<extension id>:inline:wxt:content-script-started"}, "*")` plus a document CustomEvent of that name —
 * and shuts itself down when it sees that CustomEvent. So any page could read the extension id from a
 * `message` listener and switch ZIPP off with one `dispatchEvent`. This context says nothing to the page
 * and listens to nothing a page can send:
 * - it ends only when the extension itself goes away (an update or reload leaves the old script running
 *   with `runtime.id` gone), checked whenever it is asked and every few seconds;
 * - single-page-app navigation is seen by comparing `location.href` (on the browser's own, trusted
 *   navigation events, and on a timer where the Navigation API is missing), and reported to listeners
 *   kept here, not on a DOM event the page could dispatch.
 */
const ORPHAN_CHECK_MS = 3000;
const LOCATION_POLL_MS = 1000;

export class ContentScriptContext {
  private readonly controller = new AbortController();
  private readonly locationListeners = new Set<(url: URL) => void>();
  private watchingLocation = false;

  constructor(
    readonly contentScriptName: string,
    /** The content script's definition minus `main` (WXT's UI helpers read `cssInjectionMode` here). */
    readonly options?: Record<string, unknown>,
  ) {
    this.setInterval(() => void this.isValid, ORPHAN_CHECK_MS);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isInvalid(): boolean {
    if (!this.signal.aborted && browser.runtime?.id == null) this.notifyInvalidated();
    return this.signal.aborted;
  }

  get isValid(): boolean {
    return !this.isInvalid;
  }

  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  notifyInvalidated(): void {
    this.abort('ZIPP was reloaded or removed');
  }

  onInvalidated(cb: () => void): () => void {
    this.signal.addEventListener('abort', cb);
    return () => this.signal.removeEventListener('abort', cb);
  }

  block<T>(): Promise<T> {
    return new Promise(() => {});
  }

  setInterval(handler: () => void, timeout?: number): number {
    const id = setInterval(() => {
      if (this.isValid) handler();
    }, timeout) as unknown as number;
    this.onInvalidated(() => clearInterval(id));
    return id;
  }

  setTimeout(handler: () => void, timeout?: number): number {
    const id = setTimeout(() => {
      if (this.isValid) handler();
    }, timeout) as unknown as number;
    this.onInvalidated(() => clearTimeout(id));
    return id;
  }

  requestAnimationFrame(callback: FrameRequestCallback): number {
    const id = requestAnimationFrame((t) => {
      if (this.isValid) callback(t);
    });
    this.onInvalidated(() => cancelAnimationFrame(id));
    return id;
  }

  requestIdleCallback(callback: IdleRequestCallback, options?: IdleRequestOptions): number {
    const id = requestIdleCallback((d) => {
      if (this.isValid) callback(d);
    }, options);
    this.onInvalidated(() => cancelIdleCallback(id));
    return id;
  }

  /** A DOM listener removed when the context ends. (No `wxt:*` names: see `onLocationChange`.) */
  addEventListener(target: EventTarget, type: string, handler: (event: Event) => void, options?: AddEventListenerOptions): void {
    if (type.startsWith('wxt:')) throw new Error(`ZIPP's content-script context has no "${type}" event: use onLocationChange`);
    target.addEventListener(type, handler, { ...options, signal: this.signal });
  }

  /** Calls `cb` with the new URL after the page's address changes without a reload. */
  onLocationChange(cb: (url: URL) => void): () => void {
    this.locationListeners.add(cb);
    this.watchLocation();
    return () => this.locationListeners.delete(cb);
  }

  private watchLocation(): void {
    if (this.watchingLocation) return;
    this.watchingLocation = true;
    let last = location.href;
    const check = () => {
      if (location.href === last || !this.isValid) return;
      last = location.href;
      const url = new URL(last);
      for (const cb of this.locationListeners) cb(url);
    };
    const navigation = (globalThis as { navigation?: EventTarget }).navigation;
    if (typeof navigation?.addEventListener === 'function') {
      // A page can dispatch a synthetic event here too; only the browser's own ones count.
      navigation.addEventListener('currententrychange', (e) => e.isTrusted && check(), { signal: this.signal });
    } else {
      this.setInterval(check, LOCATION_POLL_MS);
    }
  }
}
