/** Distinct offsets, newest first, up to a limit: the dispatcher re-adds (key, offset) pairs after recovery. */
export class OffsetCollector {
  readonly offsets: bigint[] = [];
  private readonly seen = new Set<bigint>();
  constructor(private readonly limit: number) {}
  get full(): boolean {
    return this.offsets.length >= this.limit;
  }
  add(offset: bigint): void {
    if (this.seen.has(offset)) return;
    this.seen.add(offset);
    this.offsets.push(offset);
  }
}
