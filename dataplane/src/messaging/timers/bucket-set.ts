/**
 * Bucket starts in ascending order (the buckets with a file that are not in memory yet). The window asks for the
 * first one on every tick, so that is O(1); a bucket is added once, when its file is created (binary insertion).
 */
export class BucketSet {
  private readonly starts: number[] = [];

  constructor(initial: Iterable<number> = []) {
    for (const b of initial) this.add(b);
  }

  get size(): number {
    return this.starts.length;
  }

  first(): number | undefined {
    return this.starts[0];
  }

  has(bucket: number): boolean {
    const i = this.indexOf(bucket);
    return this.starts[i] === bucket;
  }

  add(bucket: number): void {
    const i = this.indexOf(bucket);
    if (this.starts[i] !== bucket) this.starts.splice(i, 0, bucket);
  }

  delete(bucket: number): void {
    const i = this.indexOf(bucket);
    if (this.starts[i] === bucket) this.starts.splice(i, 1);
  }

  [Symbol.iterator](): Iterator<number> {
    return [...this.starts][Symbol.iterator]();
  }

  /** Index of the first start ≥ bucket. */
  private indexOf(bucket: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) < bucket) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
