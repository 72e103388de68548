import { describe, expect, it } from 'vitest';
import { parseCommunityList } from '../../shared/community/list.ts';
import { exportFileKind, parseRedditExport } from '../../extension/lib/parse/reddit-export.ts';
import { wordDiff } from '../../extension/lib/diff.ts';

describe('pasted community list', () => {
  it('reads the common ways people write a list', () => {
    const { communities, errors } = parseCommunityList(
      [
        'r/analog 40',
        'photography: 12',
        '/r/Cooking - 3',
        '  - r/houseplants 1,200',
        'AskHistorians',
        'sewing 3 posts 40 comments',
        'knitting 5p',
        'woodworking,7',
        '# a comment line',
        '',
        'baking:2, bread:4; pasta=1',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(communities).toEqual([
      { name: 'analog', posts: 0, comments: 40 },
      { name: 'photography', posts: 0, comments: 12 },
      { name: 'cooking', posts: 0, comments: 3 },
      { name: 'houseplants', posts: 0, comments: 1200 },
      { name: 'askhistorians', posts: 0, comments: 1 },
      { name: 'sewing', posts: 3, comments: 40 },
      { name: 'knitting', posts: 5, comments: 0 },
      { name: 'woodworking', posts: 0, comments: 7 },
      { name: 'baking', posts: 0, comments: 2 },
      { name: 'bread', posts: 0, comments: 4 },
      { name: 'pasta', posts: 0, comments: 1 },
    ]);
  });

  it('reports each bad line with its number and keeps the good ones', () => {
    const { communities, errors, notes } = parseCommunityList(
      ['r/analog 40', 'r/ana log 4', 'film: 0', 'bad!name 3', 'analog 2', 'x 1 post 2 posts'].join('\n'),
    );
    expect(communities).toEqual([{ name: 'analog', posts: 0, comments: 42 }]);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 6]);
    expect(errors[0]?.message).toMatch(/no spaces/);
    expect(errors[1]?.message).toMatch(/count is 0/);
    expect(errors[2]?.message).toMatch(/letters, digits/);
    expect(errors[3]?.message).toMatch(/posts and comments once each/);
    expect(notes).toEqual([expect.objectContaining({ line: 5, message: expect.stringMatching(/added up/) })]);
  });
});

const COMMENTS = `id,permalink,date,ip,subreddit,gildings,link,parent,body,media
c1,https://www.reddit.com/r/analog/comments/x/y/c1/,2023-02-01 10:00:00 UTC,,analog,0,https://www.reddit.com/r/analog/comments/x/,,"Portra 400 pushed one stop looks great in winter light, honestly.",
c2,https://www.reddit.com/r/analog/comments/x/y/c2/,2023-02-02 10:00:00 UTC,,analog,0,https://www.reddit.com/r/analog/comments/x/,,"Multi-line answer:
keep the negatives in sleeves, away from heat.",
c3,https://www.reddit.com/r/Breadit/comments/x/y/c3/,2023-02-03 10:00:00 UTC,,Breadit,0,https://www.reddit.com/r/Breadit/comments/x/,,[deleted],
`;
const POSTS = `id,permalink,date,ip,subreddit,gildings,title,url,body
p1,https://www.reddit.com/r/Breadit/comments/p1/,2023-03-01 09:00:00 UTC,,Breadit,0,My first sourdough with a 48h cold proof,https://i.redd.it/abc.jpg,
`;

describe('Reddit data export', () => {
  it('tells comments.csv from posts.csv by the header', () => {
    expect(exportFileKind(COMMENTS)).toBe('comments');
    expect(exportFileKind(POSTS)).toBe('posts');
    expect(exportFileKind('a,b,c\n1,2,3')).toBeUndefined();
  });

  it('counts posts and comments per community and keeps the person’s own texts', () => {
    const parsed = parseRedditExport([
      { name: 'comments.csv', text: COMMENTS },
      { name: 'posts.csv', text: POSTS },
      { name: 'notes.csv', text: 'a,b\n1,2' },
    ]);
    expect(parsed.communities).toEqual([
      { name: 'analog', posts: 0, comments: 2 },
      { name: 'breadit', posts: 1, comments: 1 },
    ]);
    expect(parsed.rows).toEqual({ comments: 3, posts: 1 });
    expect(parsed.texts.map((t) => [t.community, t.kind])).toEqual([
      ['analog', 'comment'],
      ['analog', 'comment'],
      ['breadit', 'post'],
    ]);
    expect(parsed.texts[1]?.text).toContain('\nkeep the negatives');
    expect(parsed.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/notes.csv: not a Reddit export/) })]);
  });
});

describe('word diff for the preview', () => {
  it('marks added and removed words and rebuilds both texts', () => {
    const parts = wordDiff('a dog in a park', 'a scruffy dog in a misty park at dawn');
    const side = (skip: string) => parts.filter((p) => p.kind !== skip).map((p) => p.text).join('');
    expect(side('added')).toBe('a dog in a park');
    expect(side('removed')).toBe('a scruffy dog in a misty park at dawn');
    expect(parts.filter((p) => p.kind === 'added').map((p) => p.text.trim())).toEqual(['scruffy', 'misty', 'at dawn']);
  });
});
