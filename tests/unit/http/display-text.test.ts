// The shared rules for text people type and others read (lib/http/parse-input.ts): what every name,
// description, reason and label field refuses, and what it must keep (other scripts, emoji).
import { describe, expect, it } from 'vitest';
import { displayText, findUnstorableText } from '@/lib/http/parse-input';

describe('displayText', () => {
  const name = displayText('name', { min: 1, max: 20 });
  const description = displayText('description', { max: 50, multiline: true });

  it('keeps text in any script, emoji sequences and the joiners they need, trimmed', () => {
    for (const text of ['Honeypot EU-1', 'فارسی\u200cمتن', 'हिन्दी', '👩\u200d💻 team', '日本語のフィード']) expect(name.parse(` ${text} `)).toBe(text);
    expect(description.parse('line one\nline two\ttabbed')).toBe('line one\nline two\ttabbed');
  });

  it('refuses what the database cannot store, controls, and characters that disguise how text displays', () => {
    const refused: [string, RegExp][] = [
      ['a\u0000b', /NUL/],
      ['a\ud800b', /not valid Unicode/],
      ['\u202eevil', /bidirectional/],
      ['iso\u2066late', /bidirectional/],
      ['zero\u200bwidth', /invisible/],
      ['b\ufeffom', /invisible/], // (at either end trim() removes it)
      ['c1\u0085', /control/],
      ['esc\u001b[31m', /control/],
      ['two\nlines', /line breaks/],
      ['   ', /must not be empty/],
      ['x'.repeat(21), /at most 20/],
    ];
    for (const [text, why] of refused) {
      const result = name.safeParse(text);
      expect(result.success, JSON.stringify(text)).toBe(false);
      expect(result.error?.issues[0].message, JSON.stringify(text)).toMatch(why);
    }
    expect(description.safeParse('a\u0085b').success).toBe(false);
  });
});

describe('findUnstorableText', () => {
  it('names the path of a NUL or an unpaired surrogate anywhere in a decoded body, keys included', () => {
    expect(findUnstorableText({ name: 'fine', tags: ['ok', '👍'] })).toBeNull();
    expect(findUnstorableText({ filters: { tags: ['ok', 'a\u0000b'] } })).toBe('filters.tags.1');
    expect(findUnstorableText({ reason: 'lone \udc00 low' })).toBe('reason');
    expect(findUnstorableText({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(findUnstorableText('a\ud800')).toBe('body');
    // deep nesting cannot overflow the stack
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toMatch(/^0(\.0)+$/);
  });
});
