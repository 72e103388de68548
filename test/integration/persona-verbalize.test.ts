import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../shared/llm/client.ts';
import { LlmAuthError } from '../../shared/llm/errors.ts';
import { PersonaEvidence } from '../../shared/schemas/persona.ts';
import { parseTextsJsonl } from '../../shared/persona/inputs.ts';
import { createTfidfScorer } from '../../shared/persona/importance.ts';
import { PersonaGenerationError, PersonaInputError } from '../../shared/persona/errors.ts';
import { personaFromHistory, personaFromQuestionnaire, verbalizePersona } from '../../shared/persona/verbalize.ts';
import { PERSONA_RETRY_NOTE } from '../../shared/persona/templates.ts';
import { countTokens } from '../../shared/text/tokens.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

// The whole pipeline through the real openai SDK over real HTTP to the OpenAI-compatible test server.
const fixture = (name: string) => readFileSync(new URL(`../fixtures/persona/${name}`, import.meta.url), 'utf8');
const descriptions = fixture('communities.jsonl').trim().split('\n').map((l) => JSON.parse(l) as { name: string });
const texts = parseTextsJsonl(fixture('texts.jsonl'));
const communities = [
  { name: 'woodworking', comments: 12 },
  { name: 'Pathfinder_RPG', comments: 6 },
  { name: 'geology', comments: 2 },
];

let llm: OpenAiTestServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
});
afterAll(() => llm.close());
afterEach(() => llm.reset());

const client = () => createLlmClient({ baseUrl: llm.url, apiKey: 'test', model: 'zipp-test-model', timeoutMs: 5_000, maxRetries: 0 });
const lastUserMessage = () => {
  const body = llm.chatBodies().at(-1)!;
  return body.messages!.filter((m) => m.role === 'user').at(-1)!.content as string;
};

describe('verbalizePersona', () => {
  it('names communities of any source as they are: r/ only for a name that can be a subreddit', async () => {
    // Last.fm artists through the community-only prompt: "r/guns n' roses" would tell the writer it is a forum.
    await verbalizePersona(client(), { communities: [{ name: "Guns N' Roses", posts: 3 }, { name: 'analog', posts: 1 }] });
    const sent = lastUserMessage();
    expect(sent).toContain("- guns n' roses");
    expect(sent).not.toContain("r/guns n' roses");
    expect(sent).toContain('- r/analog');
    // A caller that knows the source says so: nothing is a subreddit.
    await verbalizePersona(client(), { communities: [{ name: 'radiohead', posts: 3 }], source: 'other' });
    expect(lastUserMessage()).not.toContain('r/radiohead');
  });

  it('builds a persona from the user\'s texts with provenance', async () => {
    const r = await verbalizePersona(client(), { communities, texts, descriptions });
    expect(r.template).toBe('persona-from-texts@1');
    expect(r.model).toBe('zipp-test-model');
    expect(r.text).toMatch(/^You are someone who /);
    expect(r.text).toContain('r/woodworking'); // the test server names the r/ communities it was shown
    expect(r.usage.requests).toBe(1);
    expect(r.usage.promptTokens).toBeGreaterThan(100);
    expect(() => PersonaEvidence.parse(r.evidence)).not.toThrow();
    expect(r.evidence.template).toBe('persona-from-texts@1');
    expect(r.evidence.communities.map((c) => c.name)).toEqual(['woodworking', 'pathfinder_rpg', 'geology']);
    // [deleted], the two-word reply and the near-duplicate repost never reach the model.
    expect(r.evidence.items.map((i) => [i.community, i.score])).toEqual([
      ['woodworking', 12],
      ['pathfinder_rpg', 8],
      ['geology', 5],
    ]);
    expect(r.context!.dropped).toMatchObject({ removed: 1, short: 1, duplicate: 1 });
    const sent = lastUserMessage();
    expect(sent).toContain('### r/woodworking\n- Hey y\'all');
    expect(sent).not.toMatch(/amazon\.com|\/u\/someone/);
    expect(sent).toContain('Hanchen'); // the Markdown link label stays
    for (const item of r.evidence.items) expect(item.tokens).toBe(countTokens(item.text));
  });

  it('falls back to community descriptions when there are no texts, leaving NSFW communities out', async () => {
    const r = await verbalizePersona(client(), {
      communities: [{ name: 'analog', comments: 30 }, { name: 'woodworking', comments: 10 }, { name: '1000ccplus', comments: 5 }],
      descriptions,
    });
    expect(r.template).toBe('persona-from-communities@1');
    expect(r.evidence.items).toEqual([]);
    expect(r.evidence.communities).toEqual([
      { name: 'analog', weight: 0.75 },
      { name: 'woodworking', weight: 0.25 },
    ]);
    expect(r.warnings).toContain('left out 1 NSFW community and their texts: 1000ccplus');
    const sent = lastUserMessage();
    expect(sent).toContain('- r/analog: Analog Photography — Film Photography subreddit.');
    expect(sent).toContain('[Hobbies and Interests, Photography]');
    expect(sent).not.toContain('1000ccplus');
  });

  it('uses the community template when the budget leaves no room for texts', async () => {
    const r = await verbalizePersona(client(), { communities, texts, descriptions, budget: 0 });
    expect(r.template).toBe('persona-from-communities@1');
    expect(r.warnings).toContain(
      'none of the 6 texts made it into the evidence (1 removed/deleted, 1 too short, 1 duplicates, 3 over the budget): persona built from the communities alone',
    );
    expect(lastUserMessage()).toContain('- r/woodworking: Woodworking: all things made from trees. — /r/woodworking is your home');
  });

  it('takes importance from the scorer it is given', async () => {
    // woodworking is everywhere in this reference population, geology rare: TF-IDF puts geology first.
    const scorer = createTfidfScorer({ users: 100, df: new Map([['woodworking', 99], ['pathfinder_rpg', 50], ['geology', 1]]) });
    const r = await verbalizePersona(client(), {
      communities: [{ name: 'woodworking', comments: 5 }, { name: 'pathfinder_rpg', comments: 5 }, { name: 'geology', comments: 5 }],
      texts,
      scorer,
    });
    expect(r.evidence.communities.map((c) => c.name)).toEqual(['geology', 'pathfinder_rpg', 'woodworking']);
    expect(lastUserMessage().indexOf('### r/geology')).toBeLessThan(lastUserMessage().indexOf('### r/woodworking'));
  });

  it('says which communities the scorer gave no importance (the encoder attends over the 50 most active)', async () => {
    // As the encoder does for a list longer than its neighbourhood: geology is past it and has no attention.
    const r = await verbalizePersona(client(), { communities, texts, scorer: () => new Map([['woodworking', 0.7], ['pathfinder_rpg', 0.3]]) });
    expect(r.warnings).toContainEqual(expect.stringMatching(/^1 community has no importance and got no evidence budget .*: geology$/));
    expect(r.evidence.communities.find((c) => c.name === 'geology')?.weight ?? 0).toBe(0);
  });

  it('writes a persona from history through the same generation: an empty answer gets one retry with the note', async () => {
    llm.enqueue({ kind: 'empty' }, { kind: 'default' });
    const r = await personaFromHistory(client(), ['a lighthouse at dawn, watercolour', 'fishing boats in fog', 'a harbour town at dusk']);
    expect(r.template).toBe('persona-from-history@1');
    expect(r.text).toMatch(/^You /);
    expect(r.usage.requests).toBe(2);
    const retry = llm.chatBodies().at(-1)!.messages!;
    expect(retry.at(-1)!.content).toBe(PERSONA_RETRY_NOTE);
    expect(JSON.stringify(retry[1])).toContain('fishing boats in fog');
  });

  it('removes sensitive sentences from the answer, or keeps and reports them on request', async () => {
    const answer = 'You are a hobby woodworker who sharpens your own blades. You vote Democrat. You run a Pathfinder campaign.';
    llm.enqueue({ kind: 'answer', text: answer });
    const r = await verbalizePersona(client(), { communities, texts });
    expect(r.text).toBe('You are a hobby woodworker who sharpens your own blades. You run a Pathfinder campaign.');
    expect(r.removed).toEqual([{ sentence: 'You vote Democrat.', categories: ['politics'] }]);
    expect(r.evidence.removed).toEqual(['You vote Democrat.']);
    expect(r.warnings).toContain('removed 1 sentence with sensitive attributes (politics)');

    llm.enqueue({ kind: 'answer', text: answer });
    const kept = await verbalizePersona(client(), { communities, texts, keepSensitive: true });
    expect(kept.text).toBe(answer);
    expect(kept.removed).toEqual([]);
    expect(kept.findings.map((f) => [f.category, f.match])).toEqual([['politics', 'You vote Democrat']]);
  });

  it('cleans a wrapped answer', async () => {
    llm.enqueue({ kind: 'answer', text: 'Sure! Here is the persona:\n\n**Persona:** "You sharpen blades and play Pathfinder."\n\nNote: I avoided guesses.' });
    const r = await verbalizePersona(client(), { communities, texts });
    expect(r.text).toBe('You sharpen blades and play Pathfinder.');
  });

  it('asks once more after an empty or third-person answer, counting both requests', async () => {
    llm.enqueue({ kind: 'empty' });
    const r = await verbalizePersona(client(), { communities, texts });
    expect(r.text).toMatch(/^You /);
    expect(r.usage.requests).toBe(2);
    expect(lastUserMessage()).toBe(PERSONA_RETRY_NOTE);

    llm.reset();
    llm.enqueue({ kind: 'answer', text: 'This user likes woodworking.' }, { kind: 'answer', text: 'You like woodworking.' });
    const second = await verbalizePersona(client(), { communities, texts });
    expect(second.text).toBe('You like woodworking.');
    expect(second.usage.requests).toBe(2);
    const retry = llm.chatBodies()[1]!.messages!;
    expect(retry.at(-2)).toEqual({ role: 'assistant', content: 'This user likes woodworking.' });
  });

  it('fails with a one-line error after two empty answers', async () => {
    llm.enqueue({ kind: 'empty' }, { kind: 'empty' });
    await expect(verbalizePersona(client(), { communities, texts })).rejects.toThrow(PersonaGenerationError);
  });

  it('cuts a persona over 8,000 tokens at a sentence end, with a warning', async () => {
    const long = Array.from({ length: 900 }, (_, i) => `You have visited lighthouse number ${i + 1} on a foggy morning.`).join(' ');
    expect(countTokens(long)).toBeGreaterThan(8000);
    llm.enqueue({ kind: 'answer', text: long });
    const r = await verbalizePersona(client(), { communities, texts });
    expect(countTokens(r.text)).toBeLessThanOrEqual(8000);
    expect(r.text.endsWith('on a foggy morning.')).toBe(true);
    expect(r.warnings.some((w) => /cut to \d+ \(limit 8000/.test(w))).toBe(true);
  });

  it('passes typed LLM errors through and rejects bad input before any request', async () => {
    llm.enqueue({ kind: 'error', status: 401 });
    await expect(verbalizePersona(client(), { communities, texts })).rejects.toThrow(LlmAuthError);
    const before = llm.requests.length;
    await expect(verbalizePersona(client(), { communities: [] })).rejects.toThrow(
      new PersonaInputError('communities: give at least one community, e.g. "analog:40"'),
    );
    await expect(verbalizePersona(client(), { communities: [{ name: '1000ccplus', comments: 1 }], descriptions })).rejects.toThrow(/every community given is NSFW/);
    expect(llm.requests.length).toBe(before);
  });
});

describe('personaFromQuestionnaire', () => {
  it('writes a persona from the intake answers', async () => {
    const r = await personaFromQuestionnaire(client(), JSON.parse(fixture('questionnaire.json')));
    expect(r.template).toBe('persona-from-questionnaire@1');
    expect(r.text).toMatch(/^You /);
    expect(r.evidence).toMatchObject({ communities: [], items: [], template: 'persona-from-questionnaire@1', model: 'zipp-test-model' });
    const sent = lastUserMessage();
    expect(sent).toContain('Lives in: Porto, Portugal');
    expect(sent).toContain('Hobbies: bouldering, sourdough baking, chess');
    expect(llm.chatBodies()[0]!.messages![0]!.role).toBe('system');
  });

  it('validates the answers before calling the model', async () => {
    await expect(personaFromQuestionnaire(client(), { ageRange: '25-34' })).rejects.toThrow(/^questionnaire gender:/);
    expect(llm.requests).toHaveLength(0);
  });
});
