import { describe, expect, it } from 'vitest';
import { QueuePopState } from './queue-pop-state.js';

describe('QueuePopState', () => {
  it('claims never-claimed offsets in order, bounded by the queue end and the outstanding maximum', () => {
    const state = new QueuePopState(10);
    expect(state.claimNew(5, 12, 100)).toEqual({ first: 10, count: 2 });
    expect(state.claimNew(5, 20, 4)).toEqual({ first: 12, count: 2 });
    expect(state.claimNew(5, 20, 4)).toEqual({ first: 14, count: 0 });
    expect([...state.unacked.keys()]).toEqual([10, 11, 12, 13]);
  });

  it('commits up to the oldest outstanding entry as acks arrive in any order', () => {
    const state = new QueuePopState(0);
    state.claimNew(4, 10, 100);
    expect(state.ack(2)).toBe(true);
    expect(state.committed).toBe(0);
    expect(state.ack(0)).toBe(true);
    expect(state.committed).toBe(1);
    expect(state.ack(1)).toBe(true);
    expect(state.committed).toBe(3);
    expect(state.ack(1)).toBe(false);
    state.ack(3);
    expect(state.committed).toBe(4);
  });

  it('returns due entries oldest first and none before their time', () => {
    const state = new QueuePopState(0);
    state.claimNew(3, 10, 100);
    const [a, b, c] = [...state.unacked.values()];
    state.setVisibleAt(a as never, 300);
    state.setVisibleAt(b as never, 100);
    state.setVisibleAt(c as never, 200);
    expect(state.due(50, 10)).toEqual([]);
    expect(state.due(250, 10).map(([offset]) => offset)).toEqual([1, 2]);
    expect(state.due(250, 1).map(([offset]) => offset)).toEqual([1]);
    expect(state.counts(250)).toEqual({ inflight: 1, due: 2 });
  });

  it('forgets what retention removed and restarts cleanly on a reset', () => {
    const state = new QueuePopState(0);
    state.claimNew(6, 10, 100);
    state.ack(4);
    state.dropBelow(3);
    expect([...state.unacked.keys()]).toEqual([3, 5]);
    expect(state.committed).toBe(3);
    state.reset(8);
    expect({ committed: state.committed, cursor: state.cursor, size: state.unacked.size }).toEqual({
      committed: 8,
      cursor: 8,
      size: 0,
    });
  });
});
