/**
 * The element the inline UI lives in: a host with a *closed* shadow root, so a page script gets `null`
 * from `host.shadowRoot`, nothing from `getHTML({ serializableShadowRoots: true })`, and only the host
 * from event paths and `document.activeElement`. The tag name is random per page load, so a page cannot
 * define a custom element of that name in advance and run its own constructor on ZIPP's host.
 *
 * A closed root is not enough on its own: Chromium's `window.find()` searches text inside closed shadow
 * trees and selects it, and `Selection.modify` then extends that selection over the rest of the text, so
 * the page could read the preview with `getSelection().toString()`. The text the page must not read is
 * therefore never a text node in here — see `PrivateText` (drawn by CSS generated content).
 */
export interface ClosedHost {
  /** Where the UI renders (a `<div>` inside the closed root). */
  container: HTMLElement;
  remove(): void;
}

export function mountClosedHost(css: string, parent: HTMLElement = document.body): ClosedHost {
  const host = document.createElement(`zipp-${crypto.randomUUID().slice(0, 8)}`);
  // Fixed and zero-sized: the UI positions itself; the host takes no room in the page's layout.
  host.style.cssText = 'position:fixed;top:0;left:0;width:0;height:0;z-index:2147483647;';
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = css;
  const container = document.createElement('div');
  shadow.append(style, container);
  parent.append(host);
  return {
    container,
    remove: () => host.remove(),
  };
}
