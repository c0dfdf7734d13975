import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { decodePageToken, encodePageToken, toPage } from './page-token.js';

describe('page tokens', () => {
  it('round-trip the last key', () => {
    expect(decodePageToken(encodePageToken('ins_01'))).toBe('ins_01');
  });

  it('refuse anything this API did not make', () => {
    for (const bad of ['', '!!', 'e30', Buffer.from('{"after":3}').toString('base64url'), 'x'.repeat(2000)]) {
      expect(() => decodePageToken(bad)).toThrow(ApiError);
    }
  });

  it('cut one extra row into a next token', () => {
    const page = toPage(
      ['a', 'b', 'c'],
      2,
      (r) => r,
      (r) => r.toUpperCase(),
    );
    expect(page.data).toEqual(['A', 'B']);
    expect(decodePageToken(page.nextPageToken ?? '')).toBe('b');
    expect(
      toPage(
        ['a', 'b'],
        2,
        (r) => r,
        (r) => r,
      ).nextPageToken,
    ).toBeNull();
  });
});
