/**
 * The event history every watch is served from: one global, bounded, ordered log of ADDED / MODIFIED / DELETED events,
 * like the apiserver's watch cache. A watch that starts at a resourceVersion older than the oldest retained event gets
 * `expired` (the caller answers 410 Gone), exactly the path an informer takes to re-list.
 */
import type { KubeObject } from './kube-object.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  type: WatchEventType;
  /** `group/plural` */
  resource: string;
  resourceVersion: number;
  object: KubeObject;
  /** The object before a MODIFIED or DELETED event, so selector watches can turn moves in and out into ADDED/DELETED. */
  oldObject?: KubeObject;
}

export type WatchListener = (event: StoredEvent) => void;

export type Subscription =
  | { kind: 'expired'; oldest: number }
  | { kind: 'watching'; replay: StoredEvent[]; stop: () => void };

export class WatchHub {
  private readonly events: StoredEvent[] = [];
  private readonly listeners = new Set<WatchListener>();
  /** Highest resourceVersion no longer in the history; a watch may start at it or later. */
  private compactedThrough = 0;

  constructor(private readonly capacity: number) {}

  publish(event: StoredEvent): void {
    this.events.push(event);
    // Drop in batches: shifting one event per publish would copy the whole history every time.
    if (this.events.length > this.capacity + Math.max(1, Math.floor(this.capacity / 4))) {
      const dropped = this.events.splice(0, this.events.length - this.capacity);
      this.compactedThrough = dropped.at(-1)!.resourceVersion;
    }
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Events after `resourceVersion`, then every later event as it is published. */
  subscribe(resourceVersion: number, listener: WatchListener): Subscription {
    if (resourceVersion < this.compactedThrough) return { kind: 'expired', oldest: this.compactedThrough };
    const replay = this.events.filter((e) => e.resourceVersion > resourceVersion);
    this.listeners.add(listener);
    return { kind: 'watching', replay, stop: () => this.listeners.delete(listener) };
  }

  /** Forgets the history up to `throughVersion` (default: all of it), as etcd compaction does. */
  compact(throughVersion: number): void {
    while (this.events.length > 0 && this.events[0]!.resourceVersion <= throughVersion) this.events.shift();
    this.compactedThrough = Math.max(this.compactedThrough, throughVersion);
  }

  history(): readonly StoredEvent[] {
    return [...this.events];
  }

  get watcherCount(): number {
    return this.listeners.size;
  }
}
