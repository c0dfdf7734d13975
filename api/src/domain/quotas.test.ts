import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { assertCountAvailable, assertWithinBound, effectiveQuotas } from './quotas.js';

describe('effectiveQuotas', () => {
  it('overlays overrides on the plan and treats a missing code as zero', () => {
    const q = effectiveQuotas({ maxInstances: 2, maxTopics: 10 }, { maxTopics: 50 });
    expect(q.maxInstances).toBe(2);
    expect(q.maxTopics).toBe(50);
    expect(q.maxGroups).toBe(0);
  });

  it('lets an override lower a limit to zero', () => {
    expect(effectiveQuotas({ maxInstances: 2 }, { maxInstances: 0 }).maxInstances).toBe(0);
  });
});

describe('quota checks', () => {
  it('allows the last object and refuses the one after it, naming the quota', () => {
    expect(() => assertCountAvailable('maxTopics', 10, 9)).not.toThrow();
    try {
      assertCountAvailable('maxTopics', 10, 10);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('quota-exceeded');
      expect((err as ApiError).extras.quota).toEqual({ code: 'maxTopics', limit: 10, usage: 10 });
    }
  });

  it('refuses a bound above the limit and accepts one at it', () => {
    expect(() => assertWithinBound('maxQueuesPerTopic', 16, 16)).not.toThrow();
    expect(() => assertWithinBound('maxQueuesPerTopic', 16, 17)).toThrow(ApiError);
  });
});
