import { describe, expect, it } from 'vitest';
import { ContiguousOffsets } from './contiguous-offsets.js';

describe('ContiguousOffsets', () => {
  it('advances only over offsets with no gap below them, whatever the order of the reports', () => {
    const offsets = new ContiguousOffsets(10);
    offsets.report(12);
    offsets.report(11);
    expect(offsets.below).toBe(10);
    offsets.report(10);
    expect(offsets.below).toBe(13);
    offsets.report(5);
    offsets.report(13);
    expect(offsets.below).toBe(14);
  });
});
