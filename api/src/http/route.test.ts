import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { parse, parseIfMatch } from './route.js';

describe('parseIfMatch', () => {
  it('reads strong generation tags and the wildcard, and marks anything else as matching nothing', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('"7"')).toBe(7);
    expect(parseIfMatch(' * ')).toBe('*');
    for (const bad of ['7', 'W/"7"', '"a"', '"1", "2"', '"9999999999"']) expect(parseIfMatch(bad)).toBe('invalid');
  });
});

describe('parse', () => {
  const schema = z.strictObject({ name: z.string(), nested: z.strictObject({ n: z.number() }).optional() });
  const errorsOf = (value: unknown, where: 'body' | 'query') => {
    try {
      parse(schema, value, where);
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      return (err as ApiError).extras.errors;
    }
    throw new Error('accepted');
  };

  it('points at each bad and unknown body field with RFC 6901 pointers', () => {
    expect(errorsOf({ name: 1, 'a/b': 1, nested: { n: 'x', z: 1 } }, 'body')).toEqual(
      expect.arrayContaining([
        { pointer: '/name', detail: expect.any(String) },
        { pointer: '/a~1b', detail: 'unknown field' },
        { pointer: '/nested/n', detail: expect.any(String) },
        { pointer: '/nested/z', detail: 'unknown field' },
      ]),
    );
  });

  it('names query parameters instead of pointers', () => {
    expect(errorsOf({ name: 'x', extra: '1' }, 'query')).toEqual([{ parameter: 'extra', detail: 'unknown field' }]);
  });

  it('refuses U+0000 anywhere before the schema sees it', () => {
    expect(errorsOf({ name: 'a\u0000' }, 'body')).toEqual([{ pointer: '/name', detail: 'contains U+0000' }]);
  });

  it('returns the parsed value when it is valid', () => {
    expect(parse(schema, { name: 'x' }, 'body')).toEqual({ name: 'x' });
  });
});
