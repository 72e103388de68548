import { describe, expect, it } from 'vitest';
import { assignTexts, nameWords } from '../../shared/persona/assign.ts';
import { PersonaInputError } from '../../shared/persona/errors.ts';
import { parseTextsJsonl, splitConcatenatedComments } from '../../shared/persona/inputs.ts';

describe('splitConcatenatedComments', () => {
  it('splits at a sentence end glued to a capital, at blank lines and around removed markers', () => {
    const text =
      "I'd read about this a while back, but haven't been able to make it happen yet.Hey y'all, I've been sharpening for a while." +
      '[removed]Running an Eldritch Archer Magus in Iron Gods. Dex of 17.Now, I wonder no_words about U.S. taxes\n\n  Second paragraph of that post\nwith a line break.';
    expect(splitConcatenatedComments(text)).toEqual([
      "I'd read about this a while back, but haven't been able to make it happen yet.",
      "Hey y'all, I've been sharpening for a while.",
      '[removed]',
      'Running an Eldritch Archer Magus in Iron Gods. Dex of 17.',
      'Now, I wonder about U.S. taxes',
      'Second paragraph of that post\nwith a line break.',
    ]);
  });
});

describe('parseTextsJsonl', () => {
  it('reads the {community?, text, score?} shape', () => {
    const r = parseTextsJsonl('{"community":"analog","text":"a b c d e","score":3}\n\n{"text":"f g h i j","id":7}\n');
    expect(r).toEqual([
      { community: 'analog', text: 'a b c d e', score: 3 },
      { text: 'f g h i j', id: '7' },
    ]);
  });

  it('splits {user, text} lines into comments with ids, filtered by user', () => {
    const content = ['{"user":"u1","text":"First one here.Second one here."}', '{"user":"u2","text":"Other person."}'].join('\n');
    expect(parseTextsJsonl(content, { user: 'u1' })).toEqual([
      { text: 'First one here.', id: 'u1#1', user: 'u1' },
      { text: 'Second one here.', id: 'u1#2', user: 'u1' },
    ]);
    expect(() => parseTextsJsonl(content)).toThrow('texts holds texts of 2 users: choose one with --user ID');
    expect(() => parseTextsJsonl(content, { user: 'u9' })).toThrow(/no lines for user "u9"/);
  });

  it('names the line and the problem', () => {
    expect(() => parseTextsJsonl('{"text":"ok ok ok ok ok"}\nnot json', { source: 'a.jsonl' })).toThrow(
      new PersonaInputError('a.jsonl line 2 is not JSON: write one {"community"?, "text", "score"?} object per line'),
    );
    expect(() => parseTextsJsonl('{"score":1}')).toThrow(/^texts line 1: text: .*expected \{"community"\?, "text", "score"\?\}/);
  });
});

describe('assignTexts', () => {
  const descriptions = [
    { name: 'woodworking', title: 'Woodworking', description: 'Joinery, tools, finishes and furniture projects' },
    { name: 'Pathfinder_RPG', title: 'Pathfinder', description: 'The tabletop roleplaying game by Paizo' },
    { name: 'analog', title: 'Film photography', description: 'Photos shot on film cameras' },
  ];
  const communities = ['analog', 'woodworking', 'pathfinder_rpg'];

  it('splits community names into words', () => {
    expect([...nameWords('RocketLeagueExchange')].sort()).toEqual(['exchange', 'league', 'rocket', 'rocketleagueexchange']);
    expect([...nameWords('Pathfinder_RPG')].sort()).toEqual(['pathfinder', 'rpg']);
    expect([...nameWords('itookapicture')]).toEqual(['itookapicture']);
  });

  it('assigns by name words (weight 2) and description words (weight 1), else leaves unassigned', () => {
    const texts = [
      { id: 'name', text: 'My first woodworking bench came out wobbly' }, // "woodworking": 2
      { id: 'desc', text: 'Which finishes work on oak furniture?' }, // finishes + furniture: 1 + 1
      { id: 'one', text: 'New tools arrived today' }, // tools: 1 < 2
      { id: 'rpg', text: 'Our Pathfinder group needs a healer' }, // pathfinder: 2
      { id: 'none', text: 'Best ramen in town, any ideas' },
    ];
    const r = assignTexts(texts, communities, descriptions);
    expect(r.byCommunity.get('woodworking')!.map((t) => t.id)).toEqual(['name', 'desc']);
    expect(r.byCommunity.get('pathfinder_rpg')!.map((t) => t.id)).toEqual(['rpg']);
    expect(r.byCommunity.get('analog')).toEqual([]);
    expect(r.unassigned.map((t) => t.id)).toEqual(['one', 'none']);
  });

  it('weighs down words shared by several of the user\'s communities', () => {
    // "photos" is in analog's description only; "film" would be in both if both mentioned it.
    const both = [
      { name: 'analog', description: 'film cameras' },
      { name: 'movies', description: 'film reviews' },
    ];
    const r = assignTexts([{ text: 'That film was great' }, { text: 'My analog film camera jammed' }], ['analog', 'movies'], both);
    expect(r.unassigned.map((t) => t.text)).toEqual(['That film was great']); // film: 1/2 + 0 → 0.5
    expect(r.byCommunity.get('analog')!.map((t) => t.text)).toEqual(['My analog film camera jammed']);
  });
});

