import type { LagReading } from './lag-reading.js';

export interface LagCacheOptions {
  /** How long a reading is reused. The built-in poll, KEDA's IsActive and GetMetrics all ask within seconds. */
  readonly ttlMs: number;
  /** Epoch ms (tests pass their own). */
  readonly now?: () => number;
}

/**
 * One lag read per key (a consumer group of a cluster) at a time, reused for `ttlMs`, so KEDA's calls and the
 * built-in poll do not each ask every broker (CRD_DESIGN.md §7: scaler calls never hit brokers directly).
 * Unknown readings are reused too: a broker that timed out is not asked again at once.
 */
export class LagCache {
  private readonly entries = new Map<string, { atMs: number; reading: Promise<LagReading> }>();
  private readonly now: () => number;

  constructor(private readonly options: LagCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get(key: string, read: () => Promise<LagReading>): Promise<LagReading> {
    const nowMs = this.now();
    const hit = this.entries.get(key);
    if (hit && nowMs - hit.atMs < this.options.ttlMs) return hit.reading;
    this.sweep(nowMs);
    const reading = read().catch((err: unknown): LagReading => ({ kind: 'unknown', reason: String(err) }));
    this.entries.set(key, { atMs: nowMs, reading });
    return reading;
  }

  private sweep(nowMs: number): void {
    for (const [key, entry] of this.entries) {
      if (nowMs - entry.atMs >= this.options.ttlMs) this.entries.delete(key);
    }
  }
}
