import type { Logger } from 'pino';
import { type Backoff, backoffMs, delay } from './backoff.js';
import type { KubeClient, WatchHandle } from './kube-client.js';
import { type KubeObject, keyOf, type ObjectKey } from './kube-object.js';
import type { ResourceType } from './resources.js';

/** A watch that ends sooner than this (without an error) counts towards the backoff. */
const MIN_WATCH_MS = 1_000;

export type InformerEventType = 'add' | 'update' | 'delete';
export type InformerHandler<T> = (type: InformerEventType, obj: T, old: T | undefined) => void;

export interface InformerOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly backoff: Backoff;
  /** Asked of the server per watch, so watches are renewed now and then (client-go picks 5-10 min). */
  readonly watchTimeoutSeconds: number;
  readonly log: Logger;
}

/**
 * List-then-watch cache of one resource type (client-go's reflector + store). Lists, remembers the list's
 * resourceVersion, watches from it and follows every event's resourceVersion; a watch that ends is resumed from the last
 * one seen; `410 Gone` (as an ERROR event or an answer) clears it, so the next round re-lists and reports the
 * difference (objects gone while the watch was down are `delete`d). API errors back off exponentially. Handlers run
 * synchronously and must only enqueue keys.
 */
export class Informer<T extends KubeObject> {
  private readonly objects = new Map<ObjectKey, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private failures = 0;
  private watch: WatchHandle | undefined;
  private loop: Promise<void> | undefined;
  private syncedOnce = false;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(
    private readonly client: KubeClient,
    readonly resource: ResourceType,
    private readonly options: InformerOptions,
  ) {}

  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  get(key: ObjectKey): T | undefined {
    return this.objects.get(key);
  }

  list(filter?: (obj: T) => boolean): T[] {
    const all = [...this.objects.values()];
    return filter ? all.filter(filter) : all;
  }

  get synced(): boolean {
    return this.syncedOnce;
  }

  whenSynced(): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.watch?.stop();
    await this.loop;
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist();
        const startedMs = Date.now();
        const err = await this.watchOnce();
        if (err !== undefined) throw err;
        // A watch the server keeps closing at once must not spin: short ones back off like failures (after a 410 the
        // re-list follows at once).
        if (Date.now() - startedMs < MIN_WATCH_MS && this.resourceVersion && !signal.aborted) {
          await delay(backoffMs(this.options.backoff, this.failures++), signal);
        } else this.failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        const waitMs = backoffMs(this.options.backoff, this.failures++);
        this.options.log.warn({ err, resource: this.resource.plural, retryInMs: waitMs }, 'list/watch failed');
        await delay(waitMs, signal);
      }
    }
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.client.list<T>(this.resource, this.options.namespace, {
      labelSelector: this.options.labelSelector,
    });
    const seen = new Set<ObjectKey>();
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      this.upsert(key, item);
    }
    for (const [key, old] of [...this.objects]) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        this.emit('delete', old, undefined);
      }
    }
    this.resourceVersion = resourceVersion;
    this.failures = 0;
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** Resolves when the watch ends: undefined when it just closed (resume), an error otherwise. */
  private watchOnce(): Promise<unknown> {
    return new Promise<unknown>((resolve) => {
      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(this.options.watchTimeoutSeconds),
        labelSelector: this.options.labelSelector,
      };
      const onEvent = (type: string, obj: KubeObject & { code?: number }) => this.onWatchEvent(type, obj);
      const done = (err: unknown) => {
        this.watch = undefined;
        if (err && (err as { statusCode?: number }).statusCode === 410) this.resourceVersion = '';
        // Aborting our own watch reports an AbortError: that is a stop, not a failure.
        resolve(
          this.abort.signal.aborted || !err || (err as { statusCode?: number }).statusCode === 410 ? undefined : err,
        );
      };
      this.client.watch(this.resource, this.options.namespace, query, onEvent, done).then(
        (handle) => {
          this.watch = handle;
          if (this.abort.signal.aborted) handle.stop();
        },
        (err) => resolve(err),
      );
    });
  }

  private onWatchEvent(type: string, obj: KubeObject & { code?: number }): void {
    if (type === 'ERROR') {
      // 410 Expired: the resourceVersion is too old; the stream ends next and the loop re-lists.
      if (obj.code === 410) this.resourceVersion = '';
      return;
    }
    const rv = obj.metadata?.resourceVersion;
    if (type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return;
    }
    const item = { apiVersion: this.apiVersion(), kind: this.resource.kind, ...obj } as T;
    const key = keyOf(item);
    if (type === 'DELETED') {
      const old = this.objects.get(key);
      this.objects.delete(key);
      this.emit('delete', item, old);
    } else if (type === 'ADDED' || type === 'MODIFIED') {
      this.upsert(key, item);
    }
    if (rv) this.resourceVersion = rv;
  }

  private apiVersion(): string {
    return this.resource.group ? `${this.resource.group}/${this.resource.version}` : this.resource.version;
  }

  private upsert(key: ObjectKey, item: T): void {
    const old = this.objects.get(key);
    if (old && old.metadata?.resourceVersion === item.metadata?.resourceVersion) return;
    this.objects.set(key, item);
    this.emit(old ? 'update' : 'add', item, old);
  }

  private emit(type: InformerEventType, obj: T, old: T | undefined): void {
    for (const h of this.handlers) {
      try {
        h(type, obj, old);
      } catch (err) {
        this.options.log.error({ err }, 'informer handler threw');
      }
    }
  }
}
