// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { editorKind, editorRootOf } from '../../extension/lib/editor/kind.ts';
import { readEditorText, sameEditorText } from '../../extension/lib/editor/read.ts';
import { writeEditorText } from '../../extension/lib/editor/write.ts';
import { adapterForHost, SITE_ADAPTERS } from '../../extension/lib/sites/catalog.ts';
import { findPromptBox, isSubmitControl, locatePromptBox, mostPromptLikeEditor } from '../../extension/lib/sites/find.ts';
import { looksGenerated, selectorFor } from '../../extension/lib/sites/selector.ts';

function mount(html: string): HTMLElement {
  document.body.innerHTML = html;
  return document.body;
}

describe('editor detection', () => {
  it('finds the editor root from any node inside it and names its kind', () => {
    mount(`
      <textarea id="t"></textarea>
      <input id="i" type="text"><input id="cb" type="checkbox">
      <div id="pm" class="ProseMirror" contenteditable="true"><p>hello <strong id="deep">world</strong></p></div>
      <div id="lx" contenteditable="true" data-lexical-editor="true"><p><span data-lexical-text="true">x</span></p></div>
      <div class="ql-container"><div id="ql" class="ql-editor" contenteditable="true"><p>q</p></div></div>
      <div id="ce" contenteditable="true">plain</div>
      <p id="not">static</p>`);
    const $ = (id: string) => document.getElementById(id)!;
    expect(editorRootOf($('deep').firstChild)).toBe($('pm'));
    expect(editorKind($('pm'))).toBe('prosemirror');
    expect(editorKind(editorRootOf($('lx'))!)).toBe('lexical');
    expect(editorKind(editorRootOf($('ql').firstChild)!)).toBe('quill');
    expect(editorKind($('ce'))).toBe('contenteditable');
    expect(editorKind($('t'))).toBe('textarea');
    expect(editorKind($('i'))).toBe('input');
    expect(editorRootOf($('cb'))).toBeNull();
    expect(editorRootOf($('not'))).toBeNull();
  });
});

describe('reading editor text', () => {
  it('reads one line per paragraph and ignores the caret placeholder <br>', () => {
    mount(`
      <div id="pm" class="ProseMirror" contenteditable="true"><p>a red fox</p><p><br class="ProseMirror-trailingBreak"></p><p>in snow&nbsp;at dusk</p></div>
      <div id="ql" class="ql-editor" contenteditable="true"><p>line one<br>line two</p><p><br></p></div>
      <div id="empty" class="ProseMirror" contenteditable="true"><p data-placeholder="Ask anything"><br class="ProseMirror-trailingBreak"></p></div>`);
    expect(readEditorText(document.getElementById('pm')!)).toBe('a red fox\n\nin snow at dusk');
    expect(readEditorText(document.getElementById('ql')!)).toBe('line one\nline two');
    expect(readEditorText(document.getElementById('empty')!)).toBe('');
    expect(sameEditorText(' a  red\nfox ', 'a red fox')).toBe(true);
  });

  it('writes a textarea through the native setter and fires input so frameworks see it', async () => {
    mount('<textarea id="t">old text</textarea>');
    const t = document.getElementById('t') as HTMLTextAreaElement;
    const seen: string[] = [];
    t.addEventListener('input', (e) => seen.push(`${e.type}:${(e.target as HTMLTextAreaElement).value}`));
    // React installs its own `value` property on the element to remember the last value it rendered; a
    // write through it would leave React thinking nothing changed, so the write must go around it.
    const native = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!;
    let tracked = t.value;
    Object.defineProperty(t, 'value', {
      configurable: true,
      get() {
        return native.get!.call(this);
      },
      set(v: string) {
        tracked = v;
        native.set!.call(this, v);
      },
    });
    await writeEditorText(t, 'new text');
    expect(seen).toEqual(['input:new text']);
    expect(tracked).toBe('old text'); // so React's change check (tracked !== actual) fires onChange
  });
});

describe('site adapters', () => {
  it('maps every supported site’s hostnames to its adapter and leaves others to generic mode', () => {
    expect(SITE_ADAPTERS.map((a) => a.id)).toEqual([
      'midjourney', 'chatgpt', 'gemini', 'civitai', 'leonardo', 'ideogram', 'krea', 'firefly', 'playground',
    ]);
    expect(adapterForHost('www.midjourney.com')?.id).toBe('midjourney');
    expect(adapterForHost('chat.openai.com')?.id).toBe('chatgpt');
    expect(adapterForHost('GEMINI.google.com')?.id).toBe('gemini');
    expect(adapterForHost('www.krea.ai')?.id).toBe('krea');
    expect(adapterForHost('firefly.adobe.com')?.id).toBe('firefly');
    expect(adapterForHost('google.com')).toBeUndefined();
    expect(adapterForHost('notchatgpt.com')).toBeUndefined();
  });

  const markup: Record<string, string> = {
    midjourney: '<textarea id="search"></textarea><textarea id="desktop_input_bar" placeholder="What will you imagine?"></textarea>',
    chatgpt:
      '<textarea class="hidden-fallback" style="display:none"></textarea><form><div id="prompt-textarea" class="ProseMirror" contenteditable="true"><p><br></p></div><button data-testid="send-button"><svg></svg></button></form>',
    gemini: '<rich-textarea><div class="ql-editor ql-blank" contenteditable="true" role="textbox"><p><br></p></div></rich-textarea><button class="send-button">Send</button>',
    civitai: '<textarea name="negativePrompt"></textarea><textarea id="input_prompt" name="prompt"></textarea>',
    leonardo: '<textarea aria-label="Search"></textarea><textarea id="prompt-textarea" placeholder="Type a prompt..."></textarea>',
    ideogram: '<textarea placeholder="Describe what you want to see"></textarea>',
    krea: '<div contenteditable="true" role="textbox" aria-label="Prompt"></div>',
    playground: '<textarea placeholder="Describe your image prompt"></textarea>',
  };

  it.each(Object.keys(markup))('finds the prompt box on %s', (id) => {
    mount(markup[id]!);
    const adapter = SITE_ADAPTERS.find((a) => a.id === id)!;
    const box = findPromptBox(document, adapter);
    expect(box).not.toBeNull();
    expect(box!.matches(adapter.promptSelectors.join(','))).toBe(true);
  });

  it('reaches into open shadow roots on web-component sites (Firefly)', () => {
    mount('<sp-textfield multiline id="host"></sp-textfield>');
    const shadow = document.getElementById('host')!.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<textarea placeholder="Describe the image you want to generate"></textarea>';
    const box = findPromptBox(document, adapterForHost('firefly.adobe.com')!);
    expect(box).toBe(shadow.querySelector('textarea'));
  });

  it('falls back to a prompt-like editor when the site changed its markup, and knows the submit button', () => {
    mount('<textarea aria-label="Notes"></textarea><textarea placeholder="Enter your prompt here"></textarea><button type="submit"><span id="icon">go</span></button>');
    const adapter = adapterForHost('ideogram.ai')!;
    const box = mostPromptLikeEditor(document)!;
    expect(box.getAttribute('placeholder')).toBe('Enter your prompt here');
    expect(isSubmitControl(document.getElementById('icon')!, box, adapter)).toBe(true);
    expect(isSubmitControl(document.querySelector('textarea')!, box, adapter)).toBe(false);
  });

  it('in generic mode, counts the submit button of the prompt box’s own form only', () => {
    mount('<form id="f"><textarea id="box"></textarea><button id="go">Go</button><button type="button" id="other">Clear</button></form><form><button id="elsewhere">Search</button></form>');
    const box = document.getElementById('box')!;
    expect(isSubmitControl(document.getElementById('go')!, box)).toBe(true);
    expect(isSubmitControl(document.getElementById('other')!, box)).toBe(false);
    expect(isSubmitControl(document.getElementById('elsewhere')!, box)).toBe(false);
  });
});

describe('the picked prompt box', () => {
  it('is described by what survives a redeploy — label, name, placeholder — never by generated ids or classes', () => {
    for (const v of [':r4:', 'css-1k2j3h', 'a8f3c2e1', 'input-4711', 'mui-47']) expect(looksGenerated(v)).toBe(true);
    for (const v of ['prompt', 'input_prompt', 'Image description', 'desktop_input_bar', 'promptInput']) expect(looksGenerated(v)).toBe(false);
    mount('<div class="css-x1y2z3"><textarea id=":r7:" class="css-9ab8cd" aria-label="Image description" placeholder="A lighthouse…"></textarea></div>');
    expect(selectorFor(document.querySelector('textarea')!)).toEqual({ selector: 'textarea[aria-label="Image description"]', stable: true });
    // Two boxes with the same label: a second attribute tells them apart.
    mount('<textarea aria-label="Prompt" name="negative"></textarea><textarea aria-label="Prompt" name="positive"></textarea>');
    expect(selectorFor(document.querySelectorAll('textarea')[1]!).selector).toBe('textarea[name="positive"]');
    mount('<section aria-label="Negative"><textarea></textarea></section><section aria-label="Main"><textarea></textarea></section>');
    expect(selectorFor(document.querySelectorAll('textarea')[1]!)).toEqual({ selector: 'section[aria-label="Main"] textarea', stable: true });
    mount('<div><textarea></textarea></div><div><textarea></textarea></div>');
    expect(selectorFor(document.querySelectorAll('textarea')[1]!)).toEqual({ selector: 'body > div:nth-of-type(2) > textarea', stable: false });
  });

  it('comes before the adapter, which comes before the fallback; a picked box that is gone is reported', () => {
    const adapter = adapterForHost('ideogram.ai')!;
    mount('<textarea placeholder="Describe what you want to see"></textarea><textarea aria-label="Image description"></textarea>');
    expect(locatePromptBox(document, adapter, 'textarea[aria-label="Image description"]')).toMatchObject({ by: 'picked', pickedMissing: false });
    expect(locatePromptBox(document, adapter)).toMatchObject({ by: 'adapter' });
    mount('<input type="text" placeholder="Search prompts"><textarea aria-label="Image description"></textarea>');
    const fallback = locatePromptBox(document, adapter, 'textarea[name="gone"]');
    expect(fallback).toMatchObject({ by: 'fallback', pickedMissing: true });
    expect(fallback.box!.tagName).toBe('INPUT');
    expect(locatePromptBox(document, undefined, 'textarea[name="gone"]')).toEqual({ box: null, by: null, pickedMissing: true });
    expect(locatePromptBox(document, undefined, 'not a [selector')).toMatchObject({ box: null, pickedMissing: true });
  });
});
