import type { KubeObject } from '../../runtime/kube-object.js';

/**
 * The informer cache lags behind the reconciler's own writes: right after adding the finalizer and writing status,
 * the next reconcile of the key (enqueued by the finalizer change) may still see the object from before. Computing
 * status against that copy would write the same status again, against a stale resourceVersion (409, a retry, one
 * more write per object). So each write remembers the resourceVersion it replaced and the object the API returned;
 * while the cache still holds a replaced version, the returned object is used instead. An entry goes as soon as the
 * cache shows anything else (it caught up, or someone else wrote), so this never outlives the watch delay.
 */
export class FreshObjects<T extends KubeObject> {
  private readonly entries = new Map<string, { stale: Set<string>; latest: T }>();

  /** `before` was replaced by `after` (a write's answer). */
  wrote(key: string, before: T, after: T): void {
    const entry = this.entries.get(key) ?? { stale: new Set<string>(), latest: after };
    const rv = before.metadata?.resourceVersion;
    if (rv !== undefined) entry.stale.add(rv);
    entry.latest = after;
    this.entries.set(key, entry);
  }

  /** The newest copy known: the cached object, unless it is one our own writes already replaced. */
  get(key: string, cached: T): T {
    const entry = this.entries.get(key);
    if (!entry) return cached;
    const rv = cached.metadata?.resourceVersion;
    if (rv !== undefined && entry.stale.has(rv)) return entry.latest;
    this.entries.delete(key);
    return cached;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
