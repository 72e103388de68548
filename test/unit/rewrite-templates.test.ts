import { describe, expect, it } from 'vitest';
import { RewriteMethod } from '../../shared/schemas/rewrite.ts';
import { TemplateRef } from '../../shared/schemas/persona.ts';
import { guardNote, templateRef, TEMPLATES } from '../../shared/rewrite/templates.ts';

const persona = 'You are a retired sailor who paints harbours in watercolour.';
const examples = ['misty harbour at dawn, loose watercolour', 'a red fishing boat, wet-on-wet'];

describe('rewrite templates', () => {
  it('cover every method, each with a valid id@version', () => {
    expect(Object.keys(TEMPLATES).sort()).toEqual([...RewriteMethod.options].sort());
    for (const t of Object.values(TEMPLATES)) expect(TemplateRef.safeParse(templateRef(t)).success).toBe(true);
    expect(templateRef(TEMPLATES.persona)).toBe('rewrite-persona@1');
  });

  it('put the persona, verbatim, as the system message only where the method uses it', () => {
    const withPersona = TEMPLATES.persona.build({ prompt: 'a dog in a park', persona });
    expect(withPersona[0]).toEqual({ role: 'system', content: persona });
    expect(TEMPLATES.baseline.build({ prompt: 'a dog', persona }).some((m) => m.role === 'system')).toBe(false);
    expect(() => TEMPLATES.fewshot.build({ prompt: 'a dog', examples })).toThrow(/needs a persona/);
  });

  it('list examples as "- " lines and end with the base prompt on its own line', () => {
    for (const method of ['fewshot', 'fewshot-baseline', 'retrieval'] as const) {
      const messages = TEMPLATES[method].build({ prompt: 'a dog\n in a park', persona, examples });
      const user = messages.at(-1)!.content;
      expect(user).toContain(`- ${examples[0]}\n- ${examples[1]}`);
      expect(user.split('\n').at(-1)).toBe('Base prompt: a dog in a park');
      expect(user).toMatch(/fewer than 70 words/);
    }
    expect(() => TEMPLATES.retrieval.build({ prompt: 'a dog', examples: [] })).toThrow(/example/);
  });

  it('cut an over-long example to 60 words', () => {
    const long = Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ');
    const user = TEMPLATES['fewshot-baseline'].build({ prompt: 'x', examples: [long] })[0]!.content;
    expect(user).toContain('w59 …');
    expect(user).not.toContain('w60');
  });

  it('add the guard note naming the missing subjects', () => {
    const user = TEMPLATES.persona.build({ prompt: 'a dog in a park', persona, note: guardNote(['dog']) }).at(-1)!.content;
    expect(user).toMatch(/must show, and name explicitly: dog\./);
  });

  it('are written in the project’s own words, not the paper’s', () => {
    const all = Object.values(TEMPLATES)
      .map((t) => t.build({ prompt: 'p', persona, examples }).map((m) => m.content).join('\n'))
      .join('\n');
    for (const paperPhrase of ['A strong prompt clearly specifies', 'Output only the', 'Do not include explanations', 'rewrite it into a richer and more vivid version']) {
      expect(all).not.toContain(paperPhrase);
    }
  });
});
