import { Code, DataplaneError } from '../../lib/errors.js';
import type { FoldedBucket, TimerEntry } from './timer-entry.js';
import { TimerHeap } from './timer-heap.js';

export type TimerState = 'pending' | 'firing' | 'fired' | 'cancelled';

const NEXT: Record<TimerState, readonly TimerState[]> = {
  pending: ['firing', 'cancelled'],
  // Back to pending when the copy could not be stored (the store refused it); retried later.
  firing: ['fired', 'pending'],
  fired: [],
  cancelled: [],
};

export function transition(from: TimerState, to: TimerState): TimerState {
  if (!NEXT[from].includes(to)) throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `timer ${from} -> ${to}`);
  return to;
}

/** A timer of a loaded bucket. */
export interface LiveTimer {
  readonly bucket: number;
  readonly origin: number;
  readonly deliverAt: number;
  readonly topicId: number;
  /** Commit-log offset and size of the record that holds it now. */
  current: number;
  size: number;
  state: TimerState;
}

interface LoadedBucket {
  readonly timers: Map<number, LiveTimer>;
  /** Pending or firing timers. */
  live: number;
  maxQueueOffset: number;
  /** The bucket file is being read: its timers are known only in part, so none of them may fire yet. */
  loading: boolean;
}

/**
 * The near future in memory: every bucket that starts before `loadedUntil` is loaded (its timers in a map, its
 * pending ones in a heap by due time); later buckets live only on disk. Pure state, no I/O: the timer service reads
 * bucket files and feeds them in with `beginLoad`/`finishLoad`, and applies each new entry with `apply`.
 */
export class TimerWindow {
  private readonly buckets = new Map<number, LoadedBucket>();
  private readonly heap = new TimerHeap<LiveTimer>();
  private pendingCount = 0;

  constructor(
    readonly bucketMs: number,
    /** Start of the first bucket not loaded; every bucket before it is (or was, and is done). */
    public loadedUntil: number,
  ) {}

  bucketOf(deliverAt: number): number {
    return Math.floor(deliverAt / this.bucketMs) * this.bucketMs;
  }

  isLoaded(bucket: number): boolean {
    return bucket < this.loadedUntil;
  }

  /** Timers held in memory (pending or firing). */
  get size(): number {
    return this.pendingCount;
  }

  /** Marks `bucket` as loading; entries applied meanwhile are kept and merged with the file's content. */
  beginLoad(bucket: number): void {
    if (bucket < this.loadedUntil) throw new RangeError(`bucket ${bucket} is loaded already`);
    this.loadedUntil = bucket + this.bucketMs;
    this.buckets.set(bucket, { timers: new Map(), live: 0, maxQueueOffset: -1, loading: true });
  }

  /** Moves the window on over buckets that have no file (nothing to load). */
  skipTo(bucket: number): void {
    if (bucket > this.loadedUntil) this.loadedUntil = bucket;
  }

  /**
   * Merges what the file held (earlier entries) under what was applied while it was read (later ones), then lets the
   * bucket's pending timers fire.
   */
  finishLoad(bucket: number, folded: FoldedBucket): void {
    const loaded = this.buckets.get(bucket);
    if (!loaded?.loading) throw new RangeError(`bucket ${bucket} is not loading`);
    for (const [origin, timer] of folded.timers) {
      const later = loaded.timers.get(origin);
      if (!later) {
        loaded.timers.set(origin, { ...timer, bucket });
        if (timer.state === 'pending') this.countLive(loaded, 1);
      } else if (later.state === 'pending' && timer.state !== 'pending') {
        later.state = timer.state; // a final state is never undone by a later scheduled entry
        this.countLive(loaded, -1);
      }
    }
    loaded.maxQueueOffset = Math.max(loaded.maxQueueOffset, folded.maxQueueOffset);
    loaded.loading = false;
    for (const timer of loaded.timers.values()) if (timer.state === 'pending') this.heap.push(timer);
  }

  /**
   * Applies one entry of a loaded bucket (the caller checked `isLoaded`). Returns the timer when the entry made it
   * known and pending for the first time (a new timer), so the caller can count it.
   */
  apply(entry: TimerEntry): LiveTimer | undefined {
    const bucketStart = this.bucketOf(entry.deliverAt);
    let bucket = this.buckets.get(bucketStart);
    if (!bucket) {
      bucket = { timers: new Map(), live: 0, maxQueueOffset: -1, loading: false };
      this.buckets.set(bucketStart, bucket);
    }
    const known = bucket.timers.get(entry.origin);
    if (entry.kind === 'scheduled') {
      if (entry.queueOffset > bucket.maxQueueOffset) bucket.maxQueueOffset = entry.queueOffset;
      if (known) {
        if (known.state === 'pending' || known.state === 'firing') {
          known.current = entry.current;
          known.size = entry.size;
        }
        return undefined;
      }
      const timer: LiveTimer = {
        bucket: bucketStart,
        origin: entry.origin,
        deliverAt: entry.deliverAt,
        topicId: entry.topicId,
        current: entry.current,
        size: entry.size,
        state: 'pending',
      };
      bucket.timers.set(entry.origin, timer);
      this.countLive(bucket, 1);
      if (!bucket.loading) this.heap.push(timer);
      return timer;
    }
    if (!known) {
      bucket.timers.set(entry.origin, {
        bucket: bucketStart,
        origin: entry.origin,
        deliverAt: entry.deliverAt,
        topicId: entry.topicId,
        current: entry.current,
        size: 0,
        state: entry.kind,
      });
    } else if (known.state === 'pending') {
      // A final entry from the file or a cancel record indexed after the bucket loaded: final states are sticky.
      known.state = entry.kind;
      this.countLive(bucket, -1);
    }
    return undefined;
  }

  /** The timer of a loaded bucket, in whatever state; undefined when the bucket holds no such timer. */
  find(origin: number, deliverAt: number): LiveTimer | undefined {
    return this.buckets.get(this.bucketOf(deliverAt))?.timers.get(origin);
  }

  isLoading(bucket: number): boolean {
    return this.buckets.get(bucket)?.loading === true;
  }

  /** Pending timers due by `now` (at most `max`), now firing, in due order. */
  takeDue(now: number, max: number, skip: (t: LiveTimer) => boolean): LiveTimer[] {
    const due: LiveTimer[] = [];
    while (due.length < max) {
      const top = this.heap.peek();
      if (!top || top.deliverAt > now) break;
      this.heap.pop();
      if (top.state !== 'pending' || skip(top)) continue;
      top.state = transition(top.state, 'firing');
      due.push(top);
    }
    return due;
  }

  /** Ends a firing: `fired`, or back to `pending` (and into the heap) when it must be tried again. */
  settle(timer: LiveTimer, to: 'fired' | 'pending'): void {
    timer.state = transition(timer.state, to);
    if (to === 'pending') this.heap.push(timer);
    else this.countLive(this.buckets.get(timer.bucket), -1);
  }

  /** Cancels a pending timer (a recall); false when it is not pending. */
  cancel(timer: LiveTimer): boolean {
    if (timer.state !== 'pending') return false;
    timer.state = transition(timer.state, 'cancelled');
    this.countLive(this.buckets.get(timer.bucket), -1);
    return true;
  }

  /** Undoes `cancel` when its record could not be stored. */
  uncancel(timer: LiveTimer): void {
    if (timer.state !== 'cancelled') return;
    timer.state = 'pending';
    this.countLive(this.buckets.get(timer.bucket), 1);
    this.heap.push(timer);
  }

  /** Earliest due time among the pending timers of `topicId` in `bucket`, if loaded. */
  nextDue(bucket: number, topicId: number): number | undefined {
    let next: number | undefined;
    for (const t of this.buckets.get(bucket)?.timers.values() ?? []) {
      if (t.topicId === topicId && (t.state === 'pending' || t.state === 'firing')) {
        if (next === undefined || t.deliverAt < next) next = t.deliverAt;
      }
    }
    return next;
  }

  /**
   * Buckets whose time has passed and that hold no live timer, once the timer checkpoint covers every record indexed
   * in them (`durableQueueOffset`, exclusive): their files can go without a restart indexing one of them again.
   */
  doneBuckets(now: number, durableQueueOffset: number): number[] {
    const done: number[] = [];
    for (const [start, b] of this.buckets) {
      if (!b.loading && b.live === 0 && start + this.bucketMs <= now && b.maxQueueOffset < durableQueueOffset) {
        done.push(start);
      }
    }
    return done;
  }

  drop(bucket: number): void {
    this.buckets.delete(bucket);
  }

  /** Pending timers of every loaded bucket whose record lies below `end` (retention is about to delete it). */
  *holdingBelow(end: number): Generator<LiveTimer> {
    for (const b of this.buckets.values()) {
      for (const t of b.timers.values())
        if ((t.state === 'pending' || t.state === 'firing') && t.current < end) yield t;
    }
  }

  private countLive(bucket: LoadedBucket | undefined, delta: number): void {
    if (bucket) bucket.live += delta;
    this.pendingCount += delta;
  }
}
