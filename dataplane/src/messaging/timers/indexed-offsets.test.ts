import { describe, expect, it } from 'vitest';
import { IndexedOffsets } from './indexed-offsets.js';

describe('IndexedOffsets', () => {
  it('advances over offsets marked out of order once the gap closes', () => {
    const o = new IndexedOffsets(5);
    expect(o.mark(7)).toBe(true);
    expect(o.mark(6)).toBe(true);
    expect(o.below).toBe(5);
    expect(o.has(6)).toBe(true);
    expect(o.has(5)).toBe(false);
    expect(o.mark(5)).toBe(true);
    expect(o.below).toBe(8);
  });

  it('refuses to mark an offset twice', () => {
    const o = new IndexedOffsets(0);
    expect(o.mark(0)).toBe(true);
    expect(o.mark(0)).toBe(false);
    expect(o.mark(3)).toBe(true);
    expect(o.mark(3)).toBe(false);
  });

  it('skips offsets retention deleted', () => {
    const o = new IndexedOffsets(2);
    o.mark(9);
    o.skipTo(9);
    expect(o.below).toBe(10);
  });
});
