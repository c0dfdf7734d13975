import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compileTagFilter } from './tag-filter.js';

const cases: { says: string; expression: string; tag: string; expected: boolean }[] = [
  { says: '* matches a tagged message', expression: '*', tag: 'A', expected: true },
  { says: '* matches an untagged message', expression: '*', tag: '', expected: true },
  { says: 'an empty expression matches everything', expression: '', tag: 'A', expected: true },
  { says: 'an empty expression matches an untagged message', expression: '', tag: '', expected: true },
  { says: 'a whitespace-only expression matches everything', expression: '  ', tag: 'B', expected: true },
  { says: '* surrounded by spaces matches everything', expression: ' * ', tag: 'B', expected: true },
  { says: 'a single tag matches that tag', expression: 'A', tag: 'A', expected: true },
  { says: 'a single tag does not match another tag', expression: 'A', tag: 'B', expected: false },
  { says: 'a single tag does not match an untagged message', expression: 'A', tag: '', expected: false },
  { says: 'tags match case-sensitively', expression: 'A', tag: 'a', expected: false },
  { says: 'a tag is not matched by prefix', expression: 'Order', tag: 'OrderCreated', expected: false },
  { says: 'a list matches its first tag', expression: 'A||C', tag: 'A', expected: true },
  { says: 'a list matches its last tag', expression: 'A||C', tag: 'C', expected: true },
  { says: 'a list does not match a tag outside it', expression: 'A||C', tag: 'B', expected: false },
  { says: 'a list does not match an untagged message', expression: 'A||C', tag: '', expected: false },
  { says: 'spaces around list elements are ignored', expression: ' A || C ', tag: 'C', expected: true },
  { says: 'tabs around list elements are ignored', expression: 'A\t||\tC', tag: 'A', expected: true },
  { says: 'an empty element in a list is skipped', expression: 'A||||C||', tag: 'C', expected: true },
  { says: 'a list of only separators matches nothing', expression: '||', tag: 'A', expected: false },
  { says: 'a list of only separators does not match untagged messages', expression: '||', tag: '', expected: false },
  { says: '* inside a list is a literal tag, as in RocketMQ', expression: 'A||*', tag: 'B', expected: false },
  { says: '* inside a list matches a message tagged *', expression: 'A||*', tag: '*', expected: true },
  { says: 'a single | is part of the tag', expression: 'A|B', tag: 'A|B', expected: true },
  { says: 'inner spaces are part of the tag', expression: 'a b', tag: 'a b', expected: true },
  { says: 'non-ASCII tags match exactly', expression: '订单||注文', tag: '注文', expected: true },
];

describe('compileTagFilter', () => {
  it.each(cases)('$says', ({ expression, tag, expected }) => {
    expect(compileTagFilter(expression).matches(tag)).toBe(expected);
  });

  it('has no tag hashes for *, so the broker reads every entry', () => {
    expect(compileTagFilter('*').tagHashes).toBeUndefined();
    expect(compileTagFilter('').tagHashes).toBeUndefined();
    expect(compileTagFilter('*').matchesAll).toBe(true);
  });

  it('exposes the crc32 of each distinct tag as the consume-queue tag hashes', () => {
    const filter = compileTagFilter(' A || C ||A');
    expect(filter.tags).toEqual(new Set(['A', 'C']));
    expect(filter.tagHashes).toEqual(new Set([crc32('A'), crc32('C')]));
  });

  it('never puts the untagged hash 0 in the set for ordinary tags', () => {
    expect(compileTagFilter('A||B').tagHashes?.has(0)).toBe(false);
  });

  it('has an empty hash set for a list of only separators', () => {
    expect(compileTagFilter('||').tagHashes).toEqual(new Set());
  });

  it('hashes multi-byte tags as their UTF-8 bytes, like the dispatcher', () => {
    expect(compileTagFilter('订单').tagHashes).toEqual(new Set([crc32(Buffer.from('订单', 'utf8'))]));
  });
});
