import { describe, expect, it } from 'vitest';
import { ID_PATTERN, newId } from './ids.js';

describe('newId', () => {
  it('makes prefixed 26-character ids that match the id pattern', () => {
    const id = newId('ten');
    expect(id).toMatch(/^ten_[0-9a-z]{26}$/);
    expect(ID_PATTERN.test(id)).toBe(true);
  });

  it('sorts ids by creation time', () => {
    const ids = [newId('ins', 1_000), newId('ins', 2_000), newId('ins', 1_700_000_000_000)];
    expect([...ids].sort()).toEqual(ids);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId('key', 5)));
    expect(ids.size).toBe(1000);
  });
});
