/**
 * Pending timers per topic id and bucket, for the admin API and the pending gauge: kept up to date by the timer
 * service (counted from the bucket files on start, then per scheduled, fired and recalled timer).
 */
export class PendingCounts {
  private readonly byTopic = new Map<number, Map<number, number>>();
  private total = 0;

  add(topicId: number, bucket: number, delta: number): void {
    let buckets = this.byTopic.get(topicId);
    if (!buckets) {
      buckets = new Map();
      this.byTopic.set(topicId, buckets);
    }
    const n = (buckets.get(bucket) ?? 0) + delta;
    if (n > 0) buckets.set(bucket, n);
    else buckets.delete(bucket);
    if (buckets.size === 0) this.byTopic.delete(topicId);
    this.total += delta;
  }

  get pending(): number {
    return this.total;
  }

  /** Per topic id: pending timers and the earliest bucket holding one. */
  *topics(): Generator<{ topicId: number; pending: number; firstBucket: number }> {
    for (const [topicId, buckets] of this.byTopic) {
      let pending = 0;
      let firstBucket = Number.POSITIVE_INFINITY;
      for (const [bucket, n] of buckets) {
        pending += n;
        if (bucket < firstBucket) firstBucket = bucket;
      }
      yield { topicId, pending, firstBucket };
    }
  }
}
