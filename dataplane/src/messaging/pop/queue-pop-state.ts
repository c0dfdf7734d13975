/** One claimed entry that is not acked yet: in flight (invisible) or due for another delivery. */
export interface Unacked {
  /** The current delivery's number (what its receipt handle names); 0 = claimed but never delivered. */
  delivery: number;
  /** Deliveries so far; the next one is attempt + 1. */
  attempt: number;
  /** Epoch ms when the entry may be delivered again; at or before now it is due. */
  visibleAt: number;
  /** Client whose push consumer the broker renews the invisibility for, while it lives. */
  renewFor?: string;
}

/**
 * Pop-consumption progress of one consumer group on one queue: everything below `committed` is done (acked, filtered
 * out or dead-lettered), nothing at or above `cursor` was ever claimed, and between them the entries in `unacked` are
 * outstanding while every other offset is done. `unacked` iterates in ascending offset order because entries are only
 * ever inserted at the cursor (or replayed in order), so the committed offset is its first key.
 *
 * Pure state: no I/O and no clock; the caller passes `now`.
 */
export class QueuePopState {
  readonly unacked = new Map<number, Unacked>();
  /** No entry is due before this time (a lower bound: stale values only cost one scan). */
  private nextDueAt = Number.POSITIVE_INFINITY;

  constructor(
    public committed: number,
    public cursor: number = committed,
  ) {}

  /** Due entries (visible again), oldest first; the caller re-delivers or dead-letters each. */
  due(now: number, max: number): [number, Unacked][] {
    if (now < this.nextDueAt || max <= 0) return [];
    const found: [number, Unacked][] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.unacked) {
      const visibleAt = entry[1].visibleAt;
      if (visibleAt <= now) {
        if (found.length < max) found.push(entry);
        next = now; // until the caller re-times what it got, those are still due
      } else if (visibleAt < next) next = visibleAt;
    }
    this.nextDueAt = next;
    return found;
  }

  /** Claims up to `count` never-claimed offsets below `end`, at most `maxUnacked` outstanding; returns the first. */
  claimNew(count: number, end: number, maxUnacked: number): { first: number; count: number } {
    const n = Math.max(0, Math.min(count, end - this.cursor, maxUnacked - this.unacked.size));
    const first = this.cursor;
    for (let offset = first; offset < first + n; offset++) {
      this.unacked.set(offset, { delivery: 0, attempt: 0, visibleAt: Number.POSITIVE_INFINITY });
    }
    this.cursor += n;
    return { first, count: n };
  }

  /** Entries were changed behind `setVisibleAt` (restored from disk): the next `due` scans them all. */
  recheckDue(): void {
    this.nextDueAt = 0;
  }

  /** Hides an entry until `visibleAt` (a delivery, a nack or a renewal). */
  setVisibleAt(entry: Unacked, visibleAt: number): void {
    entry.visibleAt = visibleAt;
    if (visibleAt < this.nextDueAt) this.nextDueAt = visibleAt;
  }

  /** Marks an offset done; false when it was not outstanding. */
  ack(offset: number): boolean {
    if (!this.unacked.delete(offset)) return false;
    this.committed = this.firstUnacked();
    return true;
  }

  /** Replay of a journaled fact about `offset` claimed after the snapshot: what lies between was claimed too. */
  extendTo(offset: number, attempt: number): Unacked {
    while (this.cursor <= offset) {
      this.unacked.set(this.cursor, { delivery: 0, attempt, visibleAt: 0 });
      this.cursor++;
    }
    this.nextDueAt = 0;
    return this.unacked.get(offset) ?? { delivery: 0, attempt, visibleAt: 0 };
  }

  /** Consumption restarts at `offset`: nothing is outstanding. */
  reset(offset: number): void {
    this.unacked.clear();
    this.committed = offset;
    this.cursor = offset;
    this.nextDueAt = Number.POSITIVE_INFINITY;
  }

  /** Retention removed everything below `min`: forget what can no longer be read. */
  dropBelow(min: number): void {
    if (this.committed >= min) return;
    for (const offset of this.unacked.keys()) {
      if (offset >= min) break;
      this.unacked.delete(offset);
    }
    if (this.cursor < min) this.cursor = min;
    this.committed = this.firstUnacked();
  }

  /** In flight (invisible) and due entries at `now`. */
  counts(now: number): { inflight: number; due: number } {
    let inflight = 0;
    for (const entry of this.unacked.values()) if (entry.visibleAt > now) inflight++;
    return { inflight, due: this.unacked.size - inflight };
  }

  private firstUnacked(): number {
    for (const offset of this.unacked.keys()) return offset;
    return this.cursor;
  }
}
