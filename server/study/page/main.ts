/**
 * The participant page of an A/B study (bundled by page-bundle.ts, served at /study/assets/study.js).
 * Flow: the intake questionnaire → "preparing" while the server has the LLM write the persona → one
 * pair of pictures per trial ("Image A" / "Image B", no method names; the server decides the sides) →
 * thanks. The participant id is kept in localStorage, so a reload resumes where they were.
 */
import './study.css'; // bundled beside the script as study.css
import type { Question } from '../../../shared/persona/questionnaire.ts';
import type { TrialView as Trial } from '../service.ts';

interface Form {
  id: string;
  title: string;
  intro: string;
  questionnaire: readonly Question[];
  trials: number;
}

const root = document.getElementById('app')!;
const base = location.pathname.replace(/\/+$/, '');
const storageKey = `zipp-study:${root.dataset.study}`;
/** Free-text questions long enough for a text area. */
const LONG = new Set(['topics', 'typicalWeekend']);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

async function api<T>(path: string, init?: { method: string; body: unknown }): Promise<T> {
  const res = await fetch(`${base}/api${path}`, init ? { method: init.method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(init.body) } : {});
  const data = (await res.json().catch(() => ({}))) as { error?: { message?: string; field?: string } };
  if (!res.ok) throw Object.assign(new Error(data.error?.message ?? `the server answered ${res.status}`), { field: data.error?.field, status: res.status });
  return data as T;
}

function show(...children: (Node | string)[]): void {
  root.replaceChildren(...children);
}

function alertBox(): HTMLParagraphElement {
  return el('p', { role: 'alert' });
}

function questionField(q: Question): HTMLElement {
  const set = el('fieldset', { 'data-question': q.id }, el('legend', {}, q.prompt));
  if (q.kind === 'choice') {
    for (const o of q.options ?? []) {
      const id = `${q.id}-${o.value}`;
      set.append(el('label', { class: 'option', for: id }, el('input', { type: 'radio', name: q.id, value: o.value, id, required: '' }), ` ${o.label}`));
    }
    return set;
  }
  const attrs = { name: q.id, id: q.id, required: '', placeholder: q.placeholder ?? '', 'aria-label': q.prompt };
  set.append(LONG.has(q.id) ? el('textarea', { ...attrs, rows: '2' }) : el('input', { ...attrs, type: 'text' }));
  return set;
}

function questionnaire(form: Form): void {
  const error = alertBox();
  const submit = el('button', { type: 'submit' }, 'Continue');
  const f = el('form', { novalidate: '' }, ...form.questionnaire.map(questionField), error, submit);
  f.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(f);
    const answers: Record<string, unknown> = {};
    for (const q of form.questionnaire) {
      const value = String(data.get(q.id) ?? '').trim();
      if (!value) {
        error.textContent = `Please answer: ${q.prompt}`;
        return;
      }
      answers[q.id] = value;
    }
    submit.disabled = true;
    error.textContent = '';
    show(el('h1', {}, form.title), el('p', { 'data-state': 'preparing' }, 'Thank you. Preparing your pictures — this takes a moment…'));
    try {
      const joined = await api<{ participant: string; trials: number }>('/participants', { method: 'POST', body: { answers } });
      localStorage.setItem(storageKey, joined.participant);
      await nextTrial(form, joined.participant);
    } catch (err) {
      // Back to the filled-in form, with the server's one-line reason (it names the question).
      show(...page);
      submit.disabled = false;
      error.textContent = (err as Error).message;
    }
  });
  const page = [el('h1', {}, form.title), el('p', {}, form.intro), f];
  show(...page);
}

async function nextTrial(form: Form, participant: string): Promise<void> {
  const t = await api<Trial | { done: true }>(`/participants/${participant}/next`);
  if ('done' in t) {
    localStorage.removeItem(storageKey);
    show(el('h1', {}, 'Thank you!'), el('p', { 'data-state': 'done' }, 'Your choices are saved. You can close this page.'));
    return;
  }
  const error = alertBox();
  const picture = (image: string, name: string, side: 'left' | 'right') => {
    const img = el('img', { src: `${base}/api/participants/${participant}/images/${image}`, alt: name, 'data-side': side });
    const button = el('button', { type: 'button', 'data-side': side }, name);
    const fig = el('figure', {}, img, el('figcaption', {}, button));
    const choose = async () => {
      for (const b of root.querySelectorAll('button')) b.disabled = true;
      try {
        await api(`/participants/${participant}/trials/${t.trial}`, { method: 'POST', body: { choice: side } });
        await nextTrial(form, participant);
      } catch (err) {
        error.textContent = (err as Error).message;
        for (const b of root.querySelectorAll('button')) b.disabled = false;
      }
    };
    img.addEventListener('click', choose);
    button.addEventListener('click', choose);
    return fig;
  };
  show(
    el('h1', {}, form.title),
    el('p', { 'data-state': 'trial', 'data-position': String(t.position) }, `Pair ${t.position} of ${t.total}. Which picture suits your taste better?`),
    el('p', { class: 'prompt' }, t.prompt),
    el('div', { class: 'pair' }, picture(t.left, 'Image A', 'left'), picture(t.right, 'Image B', 'right')),
    error,
  );
}

async function start(): Promise<void> {
  try {
    const form = await api<Form>('/form');
    const saved = localStorage.getItem(storageKey);
    if (saved) {
      try {
        await nextTrial(form, saved);
        return;
      } catch {
        localStorage.removeItem(storageKey);
      }
    }
    questionnaire(form);
  } catch (err) {
    show(el('p', { role: 'alert' }, `This study is not available: ${(err as Error).message}`));
  }
}

void start();
