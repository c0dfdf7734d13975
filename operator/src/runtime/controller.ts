import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Backoff } from './backoff.js';
import type { CacheSet } from './cache-set.js';
import { TerminalError } from './errors.js';
import type { EventRecorder } from './events.js';
import type { Informer } from './informer.js';
import type { KubeClient } from './kube-client.js';
import { type KubeObject, keyOf, type ObjectKey, objectKey, splitKey } from './kube-object.js';
import type { OperatorMetrics } from './metrics.js';
import type { Cache, ReconcileContext, Reconciler } from './reconciler.js';
import { apiVersionOf } from './resources.js';
import type { WorkQueue } from './work-queue.js';

export interface ControllerDeps {
  readonly client: KubeClient;
  readonly caches: CacheSet;
  readonly events: EventRecorder;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  readonly now: () => Date;
  readonly retryBackoff: Backoff;
  readonly resyncMs: number;
}

/** Did anything but status or resourceVersion change? (Status-only updates are the reconciler's own writes.) */
function worthReconciling(obj: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return true;
  const a = obj.metadata ?? {};
  const b = old.metadata ?? {};
  return (
    a.generation !== b.generation ||
    a.generation === undefined ||
    JSON.stringify(a.labels) !== JSON.stringify(b.labels) ||
    JSON.stringify(a.annotations) !== JSON.stringify(b.annotations) ||
    JSON.stringify(a.finalizers) !== JSON.stringify(b.finalizers) ||
    a.deletionTimestamp !== b.deletionTimestamp
  );
}

/**
 * Runs one reconciler: informer events → keys → its work queue → `workers` loops calling `reconcile`. Results and
 * errors decide the requeue (see reconciler.ts). Only started while this instance leads.
 */
export class Controller<T extends KubeObject> {
  private readonly primary: Informer<T>;
  private readonly inFlight = new Set<Promise<void>>();
  private resyncTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly reconciler: Reconciler<T>,
    private readonly queue: WorkQueue,
    private readonly deps: ControllerDeps,
  ) {
    const { caches } = deps;
    const rt = reconciler.resource;
    this.primary = caches.informer<T>(rt);
    this.primary.on((type, obj, old) => {
      if (type !== 'update' || worthReconciling(obj, old)) this.enqueue(keyOf(obj));
    });
    for (const owned of reconciler.owns ?? []) {
      caches.informer(owned.resource, owned.labelSelector).on((_type, obj) => {
        const owner = obj.metadata?.ownerReferences?.find(
          (r) => r.controller && r.kind === rt.kind && r.apiVersion === apiVersionOf(rt),
        );
        if (owner) this.enqueue(objectKey(obj.metadata?.namespace, owner.name));
      });
    }
    for (const watched of reconciler.watches ?? []) {
      caches.informer(watched.resource, watched.labelSelector).on((_type, obj) => {
        for (const key of watched.keys(obj)) this.enqueue(key);
      });
    }
  }

  enqueue(key: ObjectKey): void {
    this.queue.add(key);
    this.deps.metrics.queueDepth.set({ kind: this.reconciler.kind }, this.queue.depth);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < (this.reconciler.workers ?? 2); i++) void this.worker();
    this.resyncTimer = setInterval(() => {
      for (const obj of this.primary.list()) this.enqueue(keyOf(obj));
    }, this.deps.resyncMs);
    this.resyncTimer.unref();
  }

  /** Stops handing out keys and waits for the reconciles in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.queue.shutDown();
    await Promise.all([...this.inFlight]);
  }

  private async worker(): Promise<void> {
    while (this.running) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.deps.metrics.queueDepth.set({ kind: this.reconciler.kind }, this.queue.depth);
      const run = this.process(key);
      this.inFlight.add(run);
      await run;
      this.inFlight.delete(run);
      this.queue.done(key);
    }
  }

  private cacheView = <C extends KubeObject>(rt: Parameters<ReconcileContext['cache']>[0]): Cache<C> => {
    const informer = this.deps.caches.find<C>(rt);
    if (!informer) throw new Error(`${this.reconciler.kind} reconciler did not declare ${rt.plural} in owns/watches`);
    return informer;
  };

  private async process(key: ObjectKey): Promise<void> {
    const { kind } = this.reconciler;
    const { namespace, name } = splitKey(key);
    const log = this.deps.log.child({ kind, namespace, name, reconcileId: randomBytes(4).toString('hex') });
    const ctx: ReconcileContext = {
      client: this.deps.client,
      cache: this.cacheView,
      events: this.deps.events,
      log,
      now: this.deps.now,
    };
    const end = this.deps.metrics.duration.startTimer({ kind });
    try {
      const result = await this.reconciler.reconcile(key, this.primary.get(key), ctx);
      this.queue.forget(key);
      if (result.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, result.requeueAfterMs);
        this.deps.metrics.reconciles.inc({ kind, result: 'requeue' });
      } else this.deps.metrics.reconciles.inc({ kind, result: 'success' });
      log.debug({ requeueAfterMs: result.requeueAfterMs }, 'reconciled');
    } catch (err) {
      if (err instanceof TerminalError) {
        this.queue.forget(key);
        this.deps.metrics.reconciles.inc({ kind, result: 'terminal' });
        log.warn({ err }, 'reconcile failed for good; waiting for a change');
      } else {
        this.deps.metrics.reconciles.inc({ kind, result: 'error' });
        this.deps.metrics.errors.inc({ kind });
        if (this.running) {
          const retryInMs = this.queue.addRateLimited(key);
          log.warn({ err, retryInMs, retries: this.queue.retries(key) }, 'reconcile failed; retrying');
        }
      }
    } finally {
      end();
    }
  }
}
