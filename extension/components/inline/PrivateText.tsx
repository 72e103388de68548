/**
 * Text of the rewrite (and anything else about the person's setup) shown in the page without handing it
 * to the page: drawn by CSS generated content (`::before { content: attr(data-text) }`) inside the closed
 * shadow root, so it is no text node. Chromium's `window.find()` reaches text nodes inside closed shadow
 * roots and selects them (and `Selection.modify` widens the selection to the whole line), which would let
 * a page read a plain-text preview; generated content is neither found, selected nor copied. Screen readers
 * still read it. Copy goes through the panel's Copy button.
 */
export function PrivateText({ text, className }: { text: string; className?: string }) {
  return <span className={className ? `zipp-private ${className}` : 'zipp-private'} data-text={text} />;
}
