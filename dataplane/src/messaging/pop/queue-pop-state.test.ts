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

describe('QueuePopState FIFO lines', () => {
  /** Claims `groups.length` offsets from 0 and files each under its group, in order; returns the verdicts. */
  function filed(groups: string[]) {
    const state = new QueuePopState(0);
    state.claimNew(groups.length, 100, 100);
    const verdicts = groups.map((g, offset) => state.classify(offset, state.unacked.get(offset) as never, g));
    return { state, verdicts };
  }
  const due = (state: QueuePopState, now = 1000) => state.due(now, 100).map(([offset]) => offset);

  it('lets the first outstanding entry of each group through and holds the later ones, never due', () => {
    const { state, verdicts } = filed(['a', 'b', 'a', '', 'b', '']);
    expect(verdicts).toEqual(['head', 'head', 'held', 'head', 'held', 'head']);
    for (const offset of [0, 1, 3, 5]) state.setVisibleAt(state.unacked.get(offset) as never, 0);
    expect(due(state)).toEqual([0, 1, 3, 5]);
    expect(state.counts(1000)).toEqual({ inflight: 0, due: 6 });
  });

  it('makes the next entry of a group due as soon as the one before it is done', () => {
    const { state } = filed(['a', 'a', 'a', 'b']);
    for (const offset of [0, 3]) state.setVisibleAt(state.unacked.get(offset) as never, 5000);
    expect(due(state)).toEqual([]);
    state.ack(0);
    expect(due(state)).toEqual([1]);
    state.ack(1);
    expect(due(state)).toEqual([2]);
  });

  it('keeps a redelivered head first: a nack or an expiry does not let the next entry of its group through', () => {
    const { state } = filed(['a', 'a']);
    const head = state.unacked.get(0) as never;
    state.setVisibleAt(head, 5000);
    expect(due(state, 4000)).toEqual([]);
    expect(due(state, 6000)).toEqual([0]);
  });

  it('lines up again after retention dropped a group head: the next entry of that group becomes due', () => {
    const { state } = filed(['a', 'b', 'a', 'b']);
    for (const offset of [0, 1]) state.setVisibleAt(state.unacked.get(offset) as never, 5000);
    state.dropBelow(1);
    expect(due(state)).toEqual([2]);
  });

  it('lists entries restored from disk as unread, in offset order, until they are filed', () => {
    const state = new QueuePopState(0);
    state.extendTo(3, 1);
    expect(state.unread()).toEqual([0, 1, 2, 3]);
    state.classify(0, state.unacked.get(0) as never, 'a');
    state.ack(1);
    expect(state.unread()).toEqual([2, 3]);
    state.classify(2, state.unacked.get(2) as never, 'a');
    state.classify(3, state.unacked.get(3) as never, 'b');
    expect(state.unread()).toEqual([]);
  });

  it('gives back claims that were never read, so the cursor reads them again', () => {
    const state = new QueuePopState(0);
    state.claimNew(10, 100, 100);
    state.unclaimFrom(4);
    expect({ cursor: state.cursor, outstanding: [...state.unacked.keys()] }).toEqual({
      cursor: 4,
      outstanding: [0, 1, 2, 3],
    });
  });
});
