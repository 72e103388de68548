import { describe, expect, it } from 'vitest';
import { capPersonaLength, cleanPersonaAnswer } from '../../shared/persona/hygiene.ts';
import { countTokens } from '../../shared/text/tokens.ts';

const P = 'You are a film photographer who loves fog.';

describe('cleanPersonaAnswer', () => {
  it.each([
    ['plain', P],
    ['quoted', `"${P}"`],
    ['curly quotes', `“${P}”`],
    ['inline label', `Persona: ${P}`],
    ['bold label line', `**Persona:**\n\n${P}`],
    ['heading', `# Your persona\n${P}`],
    ['code fence', '```text\n' + P + '\n```'],
    ['preamble line and closing note', `Here is a persona based on the posts:\n\n"${P}"\n\nNote: I avoided sensitive traits.`],
    ['closing remark', `${P}\n\nThis persona reflects the recurring themes.`],
    ['lower-case start', 'you are a film photographer who loves fog.'],
  ])('%s → one clean paragraph', (_, raw) => {
    expect(cleanPersonaAnswer(raw)).toEqual({ ok: true, text: P });
  });

  it('drops a preamble sentence before the first "You" sentence', () => {
    expect(cleanPersonaAnswer('Based on the texts, here is the persona. You are a baker. You love rye.')).toEqual({
      ok: true,
      text: 'You are a baker. You love rye.',
    });
  });

  it('joins bullets and paragraphs into one paragraph of sentences', () => {
    expect(cleanPersonaAnswer('- You shoot film\n- You hike on weekends.\n\nYou live near the coast.')).toEqual({
      ok: true,
      text: 'You shoot film. You hike on weekends. You live near the coast.',
    });
  });

  it('strips Markdown emphasis', () => {
    expect(cleanPersonaAnswer('You are a *very* careful writer who loves **grain**.')).toEqual({
      ok: true,
      text: 'You are a very careful writer who loves grain.',
    });
  });

  it('reports empty and third-person answers', () => {
    expect(cleanPersonaAnswer('  \n ')).toEqual({ ok: false, reason: 'empty', text: '' });
    expect(cleanPersonaAnswer('```\n```')).toMatchObject({ ok: false, reason: 'empty' });
    expect(cleanPersonaAnswer('This user is a film photographer.')).toEqual({
      ok: false,
      reason: 'not-second-person',
      text: 'This user is a film photographer.',
    });
  });
});

describe('capPersonaLength', () => {
  it('leaves personas within the limit alone', () => {
    expect(capPersonaLength(P)).toEqual({ text: P, tokens: countTokens(P) });
  });

  it('cuts at a sentence end with a warning', () => {
    const text = Array.from({ length: 12 }, (_, i) => `You visit lighthouse number ${i + 1} every spring.`).join(' ');
    const r = capPersonaLength(text, 30);
    expect(r.tokens).toBeLessThanOrEqual(30);
    expect(r.text).toMatch(/^You visit lighthouse number 1 every spring\..*spring\.$/);
    expect(r.warning).toMatch(new RegExp(`had ${countTokens(text)} tokens; cut to ${r.tokens} \\(limit 30`));
  });
});
