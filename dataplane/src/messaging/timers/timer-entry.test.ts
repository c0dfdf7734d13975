import { describe, expect, it } from 'vitest';
import { decodeEntries, encodeEntries, foldEntries, TIMER_ENTRY_BYTES, type TimerEntry } from './timer-entry.js';

const scheduled = (origin: number, current = origin, queueOffset = 0): TimerEntry => ({
  kind: 'scheduled',
  topicId: 3,
  deliverAt: 1_700_000_000_123,
  origin,
  current,
  queueOffset,
  size: 412,
});
const marker = (kind: 'fired' | 'cancelled', origin: number): TimerEntry => ({
  kind,
  topicId: 3,
  deliverAt: 1_700_000_000_123,
  origin,
  current: origin,
  queueOffset: 0,
  size: 0,
});

describe('timer entries', () => {
  it('round-trips offsets above 2^32', () => {
    const entry = scheduled(2 ** 40 + 7, 2 ** 45 + 1, 2 ** 33 + 5);
    const buf = encodeEntries([entry]);
    expect(buf.length).toBe(TIMER_ENTRY_BYTES);
    expect(decodeEntries(buf)).toEqual([entry]);
  });

  it('ignores a torn last entry', () => {
    const buf = encodeEntries([scheduled(1), scheduled(2)]);
    expect(decodeEntries(buf.subarray(0, buf.length - 3)).map((e) => e.origin)).toEqual([1]);
  });

  it('ignores entries of an unknown kind', () => {
    const buf = encodeEntries([scheduled(1), scheduled(2)]);
    buf[TIMER_ENTRY_BYTES] = 0;
    expect(decodeEntries(buf).map((e) => e.origin)).toEqual([1]);
  });
});

describe('foldEntries', () => {
  it('keeps a scheduled timer pending and names its latest record', () => {
    const { timers, maxQueueOffset } = foldEntries([scheduled(100, 100, 4), scheduled(100, 900, 9)]);
    expect(timers.get(100)).toMatchObject({ state: 'pending', current: 900, size: 412 });
    expect(maxQueueOffset).toBe(9);
  });

  it('never revives a fired timer when its record is indexed again', () => {
    const { timers } = foldEntries([scheduled(100), marker('fired', 100), scheduled(100)]);
    expect(timers.get(100)?.state).toBe('fired');
  });

  it('keeps a cancellation that arrived before the timer was indexed', () => {
    const { timers } = foldEntries([marker('cancelled', 100), scheduled(100)]);
    expect(timers.get(100)?.state).toBe('cancelled');
  });

  it('lets the first final entry win', () => {
    const { timers } = foldEntries([scheduled(100), marker('cancelled', 100), marker('fired', 100)]);
    expect(timers.get(100)?.state).toBe('cancelled');
  });
});
