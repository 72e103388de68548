import { describe, expect, it } from 'vitest';
import { detectSyntax, restorePrompt, restoringStream, splitPrompt, syntaxFree } from '../../shared/rewrite/syntax.ts';

/**
 * Site syntax split off before the model and put back after, byte for byte — on prompts written the way
 * each site's users write them.
 */
const SITES = {
  midjourney: [
    'https://s.mj.run/abc123 https://s.mj.run/def456 a lighthouse on a cliff at dawn --ar 16:9 --stylize 250 --v 6.1 --no text, watermark --sref https://s.mj.run/xyz789 --seed 1234',
    'space ship::2 jungle::-0.5 cinematic lighting --ar 21:9 --chaos 20',
    'a {red, blue, green} bird on a mossy branch --niji 6 --style raw',
    'portrait of an old sailor, weathered face —ar 2:3 —q 2',
    '<https://cdn.discordapp.com/attachments/1/2/ref.png> a cat sleeping on a windowsill --iw 1.5 --v 6',
  ],
  'stable-diffusion': [
    'masterpiece, best quality, (1girl:1.2), solo, (red hair:1.3), standing in a field of sunflowers, [summer:autumn:0.4], <lora:add_detail:0.8>, <lora:film_grain_v2:0.55> BREAK golden hour, soft light, embedding:EasyNegative',
    '((masterpiece)), a poster of \\(the band\\) live on stage, (embedding:bad_prompt:0.8), {day|night}, [blurry]',
    'analog photo of a fishing harbour, (fog:1.4), <lyco:kodak_portra:0.7>, [cat|dog] on the pier',
  ],
} as const;

describe('prompt syntax: split and restore', () => {
  for (const [site, prompts] of Object.entries(SITES)) {
    it.each(prompts)(`${site}: %s — detected, the model sees none of it, and it comes back byte for byte`, (prompt) => {
      expect(detectSyntax(prompt)).toBe(site);
      const split = splitPrompt(prompt);
      // What the model sees has no parameter, weight, tag or URL left…
      expect(split.text).not.toMatch(/--|—[a-z]|https?:|<lora|<lyco|embedding:|BREAK|::|\(.*:\d|\[.*:.*\]/);
      // …and the pieces, in order, plus the words, make the prompt again.
      expect(restorePrompt(split.text, split).text).toBe(prompt);
      // A rewrite that keeps the placeholders in place changes only the words.
      const rewritten = restorePrompt(`${split.text}, in the style of a faded travel poster`, split);
      expect(rewritten.warnings).toEqual([]);
      expect(rewritten.text.startsWith(split.prefix)).toBe(true);
      expect(rewritten.text.endsWith(split.suffix)).toBe(true);
      for (const piece of split.pieces) expect(rewritten.text).toContain(piece);
    });
  }

  it('keeps the Midjourney parameters as one untouched tail, wherever the rewrite ends', () => {
    const prompt = SITES.midjourney[0];
    const split = splitPrompt(prompt, 'midjourney');
    expect(split.prefix).toBe('https://s.mj.run/abc123 https://s.mj.run/def456 ');
    expect(split.suffix).toBe(' --ar 16:9 --stylize 250 --v 6.1 --no text, watermark --sref https://s.mj.run/xyz789 --seed 1234');
    const out = restorePrompt('A weathered lighthouse on a sea cliff at first light, fog on the water --ar 1:1 --v 5', split);
    expect(out.text).toBe(
      'https://s.mj.run/abc123 https://s.mj.run/def456 A weathered lighthouse on a sea cliff at first light, fog on the water --ar 16:9 --stylize 250 --v 6.1 --no text, watermark --sref https://s.mj.run/xyz789 --seed 1234',
    );
    expect(out.warnings).toEqual(['left out parameters the model added (--ar 1:1 --v 5); the prompt keeps its own']);
  });

  it('puts back what the model lost (at the end), drops repeats and numbers it never had', () => {
    const split = splitPrompt(SITES['stable-diffusion'][0]);
    expect(split.pieces).toEqual(['(1girl:1.2)', '(red hair:1.3)', '[summer:autumn:0.4]', '<lora:add_detail:0.8>', '<lora:film_grain_v2:0.55>', 'BREAK', 'embedding:EasyNegative']);
    const out = restorePrompt('⟦1⟧ ⟦1⟧, a girl among sunflowers at dusk, ⟦2⟧, ⟦9⟧ ⟦4⟧ ⟦5⟧ ⟦6⟧ warm light, ⟦7⟧', split);
    expect(out.text).toBe('(1girl:1.2), a girl among sunflowers at dusk, (red hair:1.3), <lora:add_detail:0.8> <lora:film_grain_v2:0.55> BREAK warm light, embedding:EasyNegative, [summer:autumn:0.4]');
    expect(out.warnings).toEqual(["the model dropped a piece of the prompt's syntax ([summer:autumn:0.4]); added back at the end"]);
  });

  it('leaves a plain prompt alone (auto finds no syntax), parentheses and all', () => {
    for (const prompt of ['a dog in a park (at night), 35mm', 'a well-known bridge -- at dusk', 'an email: hello@example.com at a desk']) {
      expect(detectSyntax(prompt)).toBe('none');
      const split = splitPrompt(prompt);
      expect(split).toEqual({ syntax: 'none', text: prompt, prefix: '', suffix: '', pieces: [] });
      expect(restorePrompt(`${prompt}, soft light`, split).text).toBe(`${prompt}, soft light`);
    }
  });

  it('shows examples to the model without their syntax', () => {
    expect(syntaxFree(SITES.midjourney[1])).toBe('space ship jungle cinematic lighting');
    expect(syntaxFree(SITES['stable-diffusion'][0])).toBe('masterpiece, best quality, solo, standing in a field of sunflowers, golden hour, soft light');
  });

  it('restores streamed deltas as they come, even with a placeholder cut between two deltas', () => {
    const split = splitPrompt(SITES.midjourney[1]);
    expect(split.text).toBe('space ship⟦1⟧ jungle⟦2⟧ cinematic lighting');
    const stream = restoringStream(split);
    const deltas = ['space ship⟦', '1⟧ jungle⟦2', '⟧ cinematic', ' lighting, neon'];
    const shown = deltas.map((d) => stream.feed(d)).join('') + stream.end();
    expect(shown).toBe('space ship::2 jungle::-0.5 cinematic lighting, neon --ar 21:9 --chaos 20');
  });
});
