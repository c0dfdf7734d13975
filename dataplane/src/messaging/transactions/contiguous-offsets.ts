/**
 * The lowest half-queue offset not yet reported, when appends report their offsets out of order (concurrent sends
 * settle in any order). Everything below `below` has been reported; offsets above it wait in a set until the gap
 * closes. A snapshot may only claim to cover the half queue up to `below`.
 */
export class ContiguousOffsets {
  private readonly ahead = new Set<number>();

  constructor(private next: number) {}

  get below(): number {
    return this.next;
  }

  report(offset: number): void {
    if (offset < this.next) return;
    if (offset > this.next) {
      this.ahead.add(offset);
      return;
    }
    this.next++;
    while (this.ahead.delete(this.next)) this.next++;
  }
}
