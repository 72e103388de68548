import { describe, expect, it } from 'vitest';
import { normalizeCommunityName } from '../../shared/community/name.ts';
import { CommunityList, Persona, RewriteRequest } from '../../shared/schemas/index.ts';

describe('community schemas', () => {
  it('normalises r/ prefixes and case', () => {
    expect(normalizeCommunityName(' /r/Analog ')).toBe('analog');
    expect(CommunityList.parse([{ name: 'r/Photography', comments: 3 }])).toEqual([
      { name: 'photography', posts: 0, comments: 3 },
    ]);
  });

  it('rejects duplicates after normalisation and empty activity', () => {
    expect(CommunityList.safeParse([{ name: 'analog', comments: 1 }, { name: 'r/ANALOG', posts: 1 }]).success).toBe(false);
    const r = CommunityList.safeParse([{ name: 'analog', posts: 0, comments: 0 }]);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/at least one post or comment/);
  });
});

describe('rewrite request', () => {
  it('rejects an empty and an over-long prompt with the fix in the message', () => {
    expect(RewriteRequest.safeParse({ prompt: '   ' }).error?.issues[0]?.message).toMatch(/prompt is empty/);
    expect(RewriteRequest.safeParse({ prompt: 'x'.repeat(2001) }).error?.issues[0]?.message).toMatch(/shorten it/);
  });

  it('rejects an unknown method', () => {
    expect(RewriteRequest.safeParse({ prompt: 'a dog', method: 'magic' }).success).toBe(false);
  });
});

describe('persona', () => {
  it('accepts a minimal manual persona and rejects an empty text', () => {
    const now = new Date().toISOString();
    const base = { id: 'p1', name: 'Me', source: 'manual', createdAt: now, updatedAt: now };
    expect(Persona.parse({ ...base, text: 'You are a film photographer.' }).source).toBe('manual');
    expect(Persona.safeParse({ ...base, text: ' ' }).success).toBe(false);
  });
});
