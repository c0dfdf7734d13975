import { describe, expect, it } from 'vitest';
import { QueueSelector } from './queue-selector.js';

describe('QueueSelector', () => {
  it('rotates over every queue of a topic, each topic on its own', () => {
    const selector = new QueueSelector();
    expect([0, 1, 2, 3, 4].map(() => selector.select('a', 3))).toEqual([0, 1, 2, 0, 1]);
    expect(selector.select('b', 2)).toBe(0);
  });

  it('stays in range when a topic gains or has fewer queues than before', () => {
    const selector = new QueueSelector();
    selector.select('a', 8);
    selector.select('a', 8);
    expect(selector.select('a', 1)).toBe(0);
  });
});
