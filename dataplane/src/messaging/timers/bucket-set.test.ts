import { describe, expect, it } from 'vitest';
import { BucketSet } from './bucket-set.js';

describe('BucketSet', () => {
  it('keeps bucket starts sorted and unique, first one first', () => {
    const set = new BucketSet([30, 10]);
    set.add(20);
    set.add(10);
    set.add(40);
    expect([...set]).toEqual([10, 20, 30, 40]);
    expect(set.first()).toBe(10);
    set.delete(10);
    set.delete(25);
    expect(set.first()).toBe(20);
    expect(set.has(30)).toBe(true);
    expect(set.has(35)).toBe(false);
    expect(set.size).toBe(3);
  });
});
