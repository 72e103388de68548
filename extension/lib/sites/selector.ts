/**
 * A CSS selector for the prompt box the person picked, written to survive the next page load. Sites
 * built with CSS-in-JS or bundlers change class names and ids on every deploy (`css-1k2j3h`, `sc-aXbYc`,
 * `:r4:`), so the selector is made from what stays: a test id, the field's name, its label, its
 * placeholder, its role — and the tag. An attribute value that looks generated (digits mixed into it,
 * hash-like runs) is never used. If one attribute is not unique on the page, a second is added, then a
 * stable ancestor; only as a last resort a structural path (reported as `stable: false`). Class names
 * are never used: they are what changes most.
 */
export interface PickedSelector {
  selector: string;
  /** False when only a structural path (nth-of-type) could single the element out: it may break. */
  stable: boolean;
}

const ATTRIBUTES = ['data-testid', 'data-test-id', 'name', 'aria-label', 'placeholder', 'data-placeholder', 'id', 'role', 'title'] as const;
/** Longest attribute value worth matching exactly. */
const MAX_VALUE = 120;

/** Values a build or a framework generated: ids like ":r4:", "css-1x2y3z", "a8f3c2e1", "input-4711", "mui-47". */
export function looksGenerated(value: string): boolean {
  if (value.length > MAX_VALUE || /^:.*:$/.test(value)) return true;
  if ((value.match(/\d/g) ?? []).length >= 3 || /[-_:]\d+$/.test(value)) return true;
  // A run of letters and digits mixed together ("x7k2q", "a8f3c2") is a hash, not a word.
  return value.split(/[-_.:\s]+/).some((t) => t.length >= 4 && /\d/.test(t) && /[a-z]/i.test(t));
}

const cssString = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\a ')}"`;

function stableParts(el: Element): string[] {
  const tag = el.tagName.toLowerCase();
  const parts: string[] = [];
  for (const a of ATTRIBUTES) {
    const v = el.getAttribute(a);
    if (!v || looksGenerated(v)) continue;
    parts.push(a === 'id' ? `${tag}#${CSS.escape(v)}` : `${tag}[${a}=${cssString(v)}]`);
  }
  if (el.getAttribute('contenteditable') === 'true') parts.push(`${tag}[contenteditable="true"]`);
  return parts;
}

const unique = (doc: ParentNode, selector: string, el: Element) => {
  try {
    const found = doc.querySelectorAll(selector);
    return found.length === 1 && found[0] === el;
  } catch {
    return false;
  }
};

/** `tag[a="x"]` → `tag[a="x"][b="y"]`: both conditions on one element. */
const combine = (a: string, b: string) => a + b.replace(/^[a-z0-9-]+/i, '');

export function selectorFor(el: Element): PickedSelector {
  const doc = el.ownerDocument;
  const own = stableParts(el);
  for (const s of own) if (unique(doc, s, el)) return { selector: s, stable: true };
  for (let i = 0; i < own.length; i++) for (let j = i + 1; j < own.length; j++) {
    const s = combine(own[i]!, own[j]!);
    if (unique(doc, s, el)) return { selector: s, stable: true };
  }
  // A stable ancestor, then the element's own stable part (or its tag) under it.
  const tail = own[0] ?? el.tagName.toLowerCase();
  for (let up = el.parentElement; up && up !== doc.documentElement; up = up.parentElement) {
    for (const anchor of stableParts(up)) {
      const s = `${anchor} ${tail}`;
      if (unique(doc, s, el)) return { selector: s, stable: true };
    }
  }
  // Last resort: the path by position, which a changed page may break.
  const path: string[] = [];
  for (let node: Element | null = el; node && node !== doc.documentElement; node = node.parentElement) {
    const tag = node.tagName.toLowerCase();
    const siblings = node.parentElement ? [...node.parentElement.children].filter((c) => c.tagName === node!.tagName) : [node];
    path.unshift(siblings.length > 1 ? `${tag}:nth-of-type(${siblings.indexOf(node) + 1})` : tag);
  }
  return { selector: path.join(' > '), stable: false };
}
