import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

const backoff = { initialMs: 10, maxMs: 80 };

describe('WorkQueue', () => {
  it('hands out a key added several times once', async () => {
    const q = new WorkQueue(backoff);
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
    expect(q.depth).toBe(0);
  });

  it('never hands out a key being processed; one added meanwhile comes back after done()', async () => {
    const q = new WorkQueue(backoff);
    q.add('ns/a');
    expect(await q.get()).toBe('ns/a');
    q.add('ns/a');
    q.add('ns/a');
    expect(q.depth).toBe(0);
    q.done('ns/a');
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('ns/a');
    q.done('ns/a');
    expect(q.depth).toBe(0);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue(backoff);
    const waiting = q.get();
    q.add('ns/a');
    expect(await waiting).toBe('ns/a');
  });

  it('backs off per key exponentially up to the cap, and forget() resets it', () => {
    const q = new WorkQueue(backoff);
    expect([1, 2, 3, 4, 5].map(() => q.addRateLimited('ns/a'))).toEqual([10, 20, 40, 80, 80]);
    expect(q.addRateLimited('ns/b')).toBe(10);
    q.forget('ns/a');
    expect(q.addRateLimited('ns/a')).toBe(10);
    q.shutDown();
  });

  it('addAfter queues the key once its time comes, keeping the earliest of two timers', async () => {
    const q = new WorkQueue(backoff);
    const started = Date.now();
    q.addAfter('ns/a', 200);
    q.addAfter('ns/a', 40);
    expect(await q.get()).toBe('ns/a');
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(35);
    expect(waited).toBeLessThan(190);
    q.shutDown();
  });

  it('after shutDown(), waiting and later get() calls answer undefined', async () => {
    const q = new WorkQueue(backoff);
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('ns/a');
    expect(await q.get()).toBeUndefined();
  });
});
