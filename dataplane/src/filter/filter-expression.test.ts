import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataplaneError } from '../lib/errors.js';
import { ILLEGAL_FILTER_EXPRESSION } from './filter-error.js';
import { compileFilter } from './filter-expression.js';

const message = (tag: string, properties: Record<string, string> = {}) => ({ tag, properties });

describe('compileFilter', () => {
  it('selects exactly the tagged messages of a TAG filter (scenario F01)', () => {
    const sent = [message('A'), message('B'), message('C'), message('B'), message('')];
    expect(sent.filter(compileFilter({ type: 'TAG', expression: 'B' }).matches).map((m) => m.tag)).toEqual(['B', 'B']);
    expect(sent.filter(compileFilter({ type: 'TAG', expression: '*' }).matches)).toHaveLength(5);
  });

  it('treats spaces in a TAG list like none (scenario F02)', () => {
    const sent = [message('A'), message('B'), message('C'), message('')];
    for (const expression of ['A||C', ' A || C ']) {
      const filter = compileFilter({ type: 'TAG', expression });
      expect(sent.filter(filter.matches).map((m) => m.tag)).toEqual(['A', 'C']);
    }
  });

  it('selects by SQL over user properties (scenario F03)', () => {
    const sent = [
      message('', { region: 'eu', amount: '150', vip: 'false' }),
      message('', { region: 'eu', amount: '50', vip: 'false' }),
      message('', { region: 'us', amount: '500' }),
      message('', { amount: '10', vip: 'true' }),
      message('', { amount: '1000' }),
    ];
    const filter = compileFilter({ type: 'SQL', expression: "(region = 'eu' AND amount > 100) OR vip = 'true'" });
    expect(sent.flatMap((m, i) => (filter.matches(m) ? [i] : []))).toEqual([0, 3]);
  });

  it('rejects bad SQL with ILLEGAL_FILTER_EXPRESSION (scenario F04)', () => {
    const compile = () => compileFilter({ type: 'SQL', expression: 'amount >>> (' });
    expect(compile).toThrow(DataplaneError);
    expect(compile).toThrow(expect.objectContaining({ code: ILLEGAL_FILTER_EXPRESSION }));
    expect(ILLEGAL_FILTER_EXPRESSION).toBe(40010);
  });

  it('exposes tag hashes for a TAG list', () => {
    expect(compileFilter({ type: 'TAG', expression: 'A||B' }).tagHashes).toEqual(new Set([crc32('A'), crc32('B')]));
  });

  it('exposes no tag hashes for * or an empty TAG expression', () => {
    expect(compileFilter({ type: 'TAG', expression: '*' }).tagHashes).toBeUndefined();
    expect(compileFilter({ type: 'TAG', expression: '' }).tagHashes).toBeUndefined();
  });

  it('exposes no tag hashes for SQL, even one that reads TAGS', () => {
    const filter = compileFilter({ type: 'SQL', expression: "TAGS = 'A'" });
    expect(filter.tagHashes).toBeUndefined();
    expect(filter.matches(message('A'))).toBe(true);
    expect(filter.matches(message('B'))).toBe(false);
  });

  it('keeps the type and expression it was compiled from', () => {
    expect(compileFilter({ type: 'SQL', expression: 'TRUE' })).toMatchObject({ type: 'SQL', expression: 'TRUE' });
    expect(compileFilter({ type: 'TAG', expression: 'A' })).toMatchObject({ type: 'TAG', expression: 'A' });
  });

  it('does not treat a TAG expression as SQL', () => {
    const filter = compileFilter({ type: 'TAG', expression: "a = 'b'" });
    expect(filter.matches(message('A', { a: 'b' }))).toBe(false);
    expect(filter.matches(message("a = 'b'"))).toBe(true);
  });
});
