import { describe, expect, it } from 'vitest';
import { LagCache } from './lag-cache.js';
import type { LagReading } from './lag-reading.js';

describe('LagCache', () => {
  it('shares one read among callers within the TTL and reads again after it', async () => {
    let nowMs = 1_000;
    let reads = 0;
    const cache = new LagCache({ ttlMs: 5_000, now: () => nowMs });
    const read = async (): Promise<LagReading> => ({ kind: 'known', messages: ++reads * 10 });
    const [a, b] = await Promise.all([cache.get('shop/orders', read), cache.get('shop/orders', read)]);
    expect([a, b, reads]).toEqual([{ kind: 'known', messages: 10 }, { kind: 'known', messages: 10 }, 1]);
    nowMs += 4_999;
    expect(await cache.get('shop/orders', read)).toEqual({ kind: 'known', messages: 10 });
    nowMs += 1;
    expect(await cache.get('shop/orders', read)).toEqual({ kind: 'known', messages: 20 });
    expect(await cache.get('shop/billing', read)).toEqual({ kind: 'known', messages: 30 });
  });

  it('turns a failed read into unknown lag', async () => {
    const cache = new LagCache({ ttlMs: 1_000 });
    const reading = await cache.get('k', () => Promise.reject(new Error('boom')));
    expect(reading).toEqual({ kind: 'unknown', reason: 'Error: boom' });
  });
});
