import { describe, expect, it } from 'vitest';
import { foldEntries, type TimerEntry } from './timer-entry.js';
import { TimerWindow } from './timer-window.js';

const entry = (kind: TimerEntry['kind'], origin: number, deliverAt: number, current = origin): TimerEntry => ({
  kind,
  topicId: 0,
  deliverAt,
  origin,
  current,
  queueOffset: origin,
  size: 100,
});
const never = () => false;

describe('TimerWindow', () => {
  it('fires pending timers in due order, only once they are due', () => {
    const w = new TimerWindow(1000, 10_000);
    w.apply(entry('scheduled', 2, 1500));
    w.apply(entry('scheduled', 1, 1200));
    w.apply(entry('scheduled', 3, 1200));
    expect(w.takeDue(1100, 10, never)).toEqual([]);
    expect(w.takeDue(1500, 10, never).map((t) => t.origin)).toEqual([1, 3, 2]);
    expect(w.size).toBe(3);
  });

  it('never fires a cancelled timer', () => {
    const w = new TimerWindow(1000, 10_000);
    const timer = w.apply(entry('scheduled', 1, 1200));
    expect(timer && w.cancel(timer)).toBe(true);
    expect(w.takeDue(5000, 10, never)).toEqual([]);
    expect(w.size).toBe(0);
  });

  it('refuses to cancel a timer that is firing or fired', () => {
    const w = new TimerWindow(1000, 10_000);
    w.apply(entry('scheduled', 1, 1200));
    const [firing] = w.takeDue(2000, 10, never);
    expect(firing && w.cancel(firing)).toBe(false);
    if (firing) w.settle(firing, 'fired');
    expect(firing && w.cancel(firing)).toBe(false);
    expect(w.size).toBe(0);
  });

  it('fires a timer again after a failed firing', () => {
    const w = new TimerWindow(1000, 10_000);
    w.apply(entry('scheduled', 1, 1200));
    const [firing] = w.takeDue(2000, 10, never);
    if (firing) w.settle(firing, 'pending');
    expect(w.takeDue(2000, 10, never).map((t) => t.origin)).toEqual([1]);
  });

  it('holds a loading bucket back until its file is merged, and keeps what the file says is fired', () => {
    const w = new TimerWindow(1000, 1000);
    w.beginLoad(1000);
    // Indexed again after a restart while the file (which says it fired) is still being read.
    w.apply(entry('scheduled', 1, 1200));
    w.apply(entry('scheduled', 2, 1300));
    expect(w.takeDue(5000, 10, never)).toEqual([]);
    w.finishLoad(
      1000,
      foldEntries([entry('scheduled', 1, 1200), entry('fired', 1, 1200), entry('scheduled', 4, 1100)]),
    );
    expect(w.takeDue(5000, 10, never).map((t) => t.origin)).toEqual([4, 2]);
  });

  it('moves a pending timer to its new record', () => {
    const w = new TimerWindow(1000, 10_000);
    w.apply(entry('scheduled', 1, 1200));
    expect(w.apply(entry('scheduled', 1, 1200, 777))).toBeUndefined();
    expect(w.find(1, 1200)?.current).toBe(777);
  });

  it('reports a bucket done once its time passed, nothing is live and the checkpoint covers it', () => {
    const w = new TimerWindow(1000, 10_000);
    w.apply(entry('scheduled', 5, 1200));
    const [t] = w.takeDue(2000, 10, never);
    if (t) w.settle(t, 'fired');
    expect(w.doneBuckets(2000, 5)).toEqual([]);
    expect(w.doneBuckets(2000, 6)).toEqual([1000]);
  });

  it('lists pending timers whose record retention is about to delete', () => {
    const w = new TimerWindow(1000, 10_000);
    w.apply(entry('scheduled', 10, 1200));
    w.apply(entry('scheduled', 500, 1300));
    expect([...w.holdingBelow(100)].map((t) => t.origin)).toEqual([10]);
  });
});
