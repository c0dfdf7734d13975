import type { Logger } from 'pino';
import type { EventRecorder } from './events.js';
import type { KubeClient } from './kube-client.js';
import type { KubeObject, ObjectKey } from './kube-object.js';
import type { ResourceType } from './resources.js';

/**
 * THE CONTRACT FOR ADDING A RECONCILER (see README.md in this folder).
 *
 * A reconciler is registered as a value `{ kind, resource, owns?, watches?, reconcile }`. The runtime lists and watches
 * `resource` (and every kind named in `owns`/`watches`) into shared informer caches, maps events to keys
 * (`namespace/name` of a `resource` object), de-duplicates them in a work queue and calls `reconcile(key, obj, ctx)`
 * with the cached object (undefined once it is gone), never two calls for one key at once. Level-based: the reconcile
 * reads everything it needs (from `ctx.cache(...)` or the API), converges, writes status, and returns.
 *  - return `{}`: done until the next event or resync;
 *  - return `{ requeueAfterMs }`: called again after that long (a timer; never sleep inside a reconcile);
 *  - throw: retried with per-key exponential backoff (API outage, 409 Conflict on a stale cache: just throw);
 *  - throw `TerminalError`: not retried until the object changes (write `Ready=False, reason=InvalidSpec` first).
 * Updates that change only `status` or `resourceVersion` of a `resource` object do not enqueue it (the reconciler's own
 * status writes do not loop); changes of spec (generation), labels, annotations, finalizers or deletion do.
 */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

/** A read-only informer cache: objects as the API last sent them. */
export interface Cache<T extends KubeObject = KubeObject> {
  get(key: ObjectKey): T | undefined;
  list(filter?: (obj: T) => boolean): T[];
  readonly synced: boolean;
}

export interface ReconcileContext {
  readonly client: KubeClient;
  /** The cache of `resource`, or of a kind in `owns`/`watches` (same label selector as declared); throws otherwise. */
  cache<T extends KubeObject = KubeObject>(rt: ResourceType): Cache<T>;
  readonly events: EventRecorder;
  /** Bound with `{ kind, namespace, name, reconcileId }`. */
  readonly log: Logger;
  readonly now: () => Date;
}

export interface Watched {
  readonly resource: ResourceType;
  /** Only objects with these labels are cached (e.g. `app.kubernetes.io/managed-by=rocketry-operator`). */
  readonly labelSelector?: string;
  /** The keys of `Reconciler.resource` objects to reconcile when this object changes. */
  keys(obj: KubeObject): ObjectKey[];
}

export interface Reconciler<T extends KubeObject = KubeObject> {
  /** For logs and metrics (`BrokerCluster`). */
  readonly kind: string;
  readonly resource: ResourceType;
  /** Kinds this reconciler creates with a controller owner reference to its object: a change enqueues the owner. */
  readonly owns?: readonly { readonly resource: ResourceType; readonly labelSelector?: string }[];
  /** Other kinds whose changes enqueue keys of this reconciler (pods by label, a cluster's Topics...). */
  readonly watches?: readonly Watched[];
  /** Keys reconciled at once (different keys only); default 2. */
  readonly workers?: number;
  reconcile(key: ObjectKey, obj: T | undefined, ctx: ReconcileContext): Promise<ReconcileResult>;
}
