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
  /** FIFO consumption: the message group, once the entry was read ('' = none, never waits); unset = not read yet. */
  fifoGroup?: string;
  /** FIFO consumption: waits behind an earlier outstanding entry of its group; never due while held. */
  held?: boolean;
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
  /**
   * FIFO consumption: the outstanding offsets of each message group, oldest first. Only the first of a group is ever
   * delivered; the others are held until it is done (acked, dead-lettered, filtered out or dropped).
   */
  private readonly lines = new Map<string, number[]>();
  /** FIFO consumption: entries may lack their message group (restored from disk, or a failed read); see `unread`. */
  private unreadEntries = false;

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
    this.unreadEntries = true;
  }

  /**
   * FIFO consumption: outstanding entries whose message group is not known yet, in offset order (what must be read and
   * `classify`d before anything newer is delivered); empty when there are none.
   */
  unread(): number[] {
    if (!this.unreadEntries) return [];
    const offsets: number[] = [];
    for (const [offset, entry] of this.unacked) if (entry.fifoGroup === undefined) offsets.push(offset);
    if (offsets.length === 0) this.unreadEntries = false;
    return offsets;
  }

  /**
   * FIFO consumption: files a read entry under its message group, in offset order. The first outstanding entry of a
   * group may be delivered (`head`); a later one is `held` until every earlier one of its group is done.
   */
  classify(offset: number, entry: Unacked, group: string): 'head' | 'held' {
    entry.fifoGroup = group;
    if (group === '') return 'head';
    const line = this.lines.get(group);
    if (!line) {
      this.lines.set(group, [offset]);
      return 'head';
    }
    line.push(offset);
    entry.held = true;
    entry.delivery = 0;
    entry.visibleAt = Number.POSITIVE_INFINITY;
    return 'held';
  }

  /** Gives back never-read claims from `offset` on (the newest claims: FIFO reads are serialized per queue). */
  unclaimFrom(offset: number): void {
    for (let o = offset; o < this.cursor; o++) this.unacked.delete(o);
    if (offset < this.cursor) this.cursor = offset;
  }

  /** Hides an entry until `visibleAt` (a delivery, a nack or a renewal). */
  setVisibleAt(entry: Unacked, visibleAt: number): void {
    entry.visibleAt = visibleAt;
    if (visibleAt < this.nextDueAt) this.nextDueAt = visibleAt;
  }

  /** Marks an offset done; false when it was not outstanding. A FIFO group's next entry becomes due at once. */
  ack(offset: number): boolean {
    const entry = this.unacked.get(offset);
    if (!entry) return false;
    this.unacked.delete(offset);
    if (entry.fifoGroup) this.leaveLine(entry.fifoGroup, offset);
    this.committed = this.firstUnacked();
    return true;
  }

  private leaveLine(group: string, offset: number): void {
    const line = this.lines.get(group);
    const at = line ? line.indexOf(offset) : -1;
    if (!line || at < 0) return;
    line.splice(at, 1);
    if (line.length === 0) this.lines.delete(group);
    else if (at === 0) this.promote(line[0] as number);
  }

  private promote(offset: number): void {
    const next = this.unacked.get(offset);
    if (!next?.held) return;
    next.held = false;
    this.setVisibleAt(next, 0);
  }

  /** FIFO lines again from the entries, after entries went away in bulk. */
  private rebuildLines(): void {
    this.lines.clear();
    for (const [offset, entry] of this.unacked) {
      if (!entry.fifoGroup) continue;
      const line = this.lines.get(entry.fifoGroup);
      if (line) line.push(offset);
      else {
        this.lines.set(entry.fifoGroup, [offset]);
        this.promote(offset);
      }
    }
  }

  /** Replay of a journaled fact about `offset` claimed after the snapshot: what lies between was claimed too. */
  extendTo(offset: number, attempt: number): Unacked {
    while (this.cursor <= offset) {
      this.unacked.set(this.cursor, { delivery: 0, attempt, visibleAt: 0 });
      this.cursor++;
    }
    this.nextDueAt = 0;
    this.unreadEntries = true;
    return this.unacked.get(offset) ?? { delivery: 0, attempt, visibleAt: 0 };
  }

  /** Consumption restarts at `offset`: nothing is outstanding. */
  reset(offset: number): void {
    this.unacked.clear();
    this.lines.clear();
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
    if (this.lines.size > 0) this.rebuildLines();
    this.committed = this.firstUnacked();
  }

  /** In flight (invisible) and due entries at `now`; held FIFO entries count as due (ready, waiting their turn). */
  counts(now: number): { inflight: number; due: number } {
    let inflight = 0;
    for (const entry of this.unacked.values()) if (entry.visibleAt > now && !entry.held) inflight++;
    return { inflight, due: this.unacked.size - inflight };
  }

  private firstUnacked(): number {
    for (const offset of this.unacked.keys()) return offset;
    return this.cursor;
  }
}
