/**
 * Which `__sys_timer` queue offsets are indexed, when records are indexed as they are stored (concurrent sends settle
 * in any order) and, after a restart or to close a gap, by a scan of the queue. Everything below `below` is indexed;
 * offsets above it wait in a set until the gap closes. The timer checkpoint may only claim `below`. (Like the
 * transactions' ContiguousOffsets, plus `has`, which lets the two ways of indexing skip each other's records.)
 */
export class IndexedOffsets {
  private readonly ahead = new Set<number>();

  constructor(private next: number) {}

  get below(): number {
    return this.next;
  }

  has(offset: number): boolean {
    return offset < this.next || this.ahead.has(offset);
  }

  /** Marks `offset` indexed; false when it already was (the caller then skips it). */
  mark(offset: number): boolean {
    if (this.has(offset)) return false;
    if (offset > this.next) {
      this.ahead.add(offset);
      return true;
    }
    this.next++;
    while (this.ahead.delete(this.next)) this.next++;
    return true;
  }

  /** Retention deleted the queue below `offset`: nothing there can be indexed any more. */
  skipTo(offset: number): void {
    while (this.next < offset) {
      this.ahead.delete(this.next);
      this.next++;
    }
    while (this.ahead.delete(this.next)) this.next++;
  }
}
