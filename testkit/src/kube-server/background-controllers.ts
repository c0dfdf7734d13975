/**
 * What kube-controller-manager and the apiextensions server would do in the background, run after writes until nothing
 * changes: the garbage collector (ownerReferences with Background, Foreground and Orphan propagation), namespace
 * termination, and CRD instance cleanup. Pods, StatefulSets and Deployments are not controlled here.
 */
import { establishCrd } from './crd-establisher.js';
import type { KubeObject, OwnerReference } from './kube-object.js';
import type { ObjectStore } from './object-store.js';
import { fromCrd, type ResourceType } from './resource-types.js';

const CRD_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const CRD_RESOURCE = 'apiextensions.k8s.io/customresourcedefinitions';
const withoutFinalizer = (obj: KubeObject, finalizer: string) => {
  obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  if (obj.metadata.finalizers.length === 0) delete obj.metadata.finalizers;
};

interface Entry {
  type: ResourceType;
  object: KubeObject;
}

/**
 * Runs incrementally: a write to an object with ownerReferences queues that object for a GC check; a deletion, or
 * any write to an object that is being deleted, queues a full pass. Quiet writes (the common case) cost nothing.
 *
 * CRD establishment runs synchronously within the write (so a CR can be created right after its CRD); the garbage
 * collector, namespace termination and CRD cleanup run shortly after the write, as a controller would, so clients see
 * deletion cascades happen in the background.
 */
export class BackgroundControllers {
  private fullScan = true;
  private candidates: Entry[] = [];
  private crds = new Set<string>();
  private settling = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly delayMs = 0,
  ) {
    store.hub.subscribe(store.currentResourceVersion, (event) => {
      const meta = event.object.metadata;
      if (event.resource === CRD_RESOURCE && event.type !== 'DELETED' && !meta.deletionTimestamp) {
        this.crds.add(meta.name!);
      }
      if (event.type === 'DELETED' || meta.deletionTimestamp) this.fullScan = true;
      else if (meta.ownerReferences?.length) {
        const type = store.registry.byKey(event.resource);
        if (type) this.candidates.push({ type, object: event.object });
      }
    });
  }

  /** Called after every change: establishes written CRDs now and schedules the background pass. */
  onChange(): void {
    if (this.settling) return;
    this.establishCrds();
    if (!this.timer && !this.stopped && (this.fullScan || this.candidates.length > 0)) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.settle();
      }, this.delayMs);
    }
  }

  /** Runs the controllers now, until a pass changes nothing (tests may call it to skip the wait). */
  settle(): void {
    if (this.settling) return;
    this.settling = true;
    try {
      this.runPasses();
    } finally {
      this.settling = false;
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private establishCrds(): void {
    if (this.crds.size === 0) return;
    this.settling = true;
    try {
      this.establishCrdsWhileSettling();
    } finally {
      this.settling = false;
    }
  }

  private establishCrdsWhileSettling(): void {
    const crdType = this.store.registry.byKey(CRD_RESOURCE)!;
    while (this.crds.size > 0) {
      const names = [...this.crds];
      this.crds.clear();
      for (const name of names) {
        const crd = this.store.find(crdType, undefined, name);
        if (crd) establishCrd(this.store, crdType, crd);
      }
    }
  }

  private runPasses(): void {
    for (let pass = 0; pass < 1000; pass++) {
      this.establishCrdsWhileSettling();
      if (!this.fullScan && this.candidates.length === 0) return;
      const full = this.fullScan;
      const candidates = this.candidates;
      this.fullScan = false;
      this.candidates = [];
      if (full) {
        this.terminateNamespaces();
        this.cleanUpCrds();
        this.collectGarbage(this.all());
        this.releaseOwners();
      } else {
        this.collectGarbage(candidates);
      }
    }
  }

  private all(): Entry[] {
    return this.store.registry.all().flatMap((type) => this.store.list(type).map((object) => ({ type, object })));
  }

  private terminateNamespaces(): void {
    const nsType = this.store.registry.byKey('/namespaces')!;
    for (const ns of this.store.list(nsType)) {
      if (!ns.metadata.deletionTimestamp) continue;
      const name = ns.metadata.name!;
      const contents = this.all().filter((e) => e.type.namespaced && e.object.metadata.namespace === name);
      for (const e of contents) {
        if (!e.object.metadata.deletionTimestamp) this.store.delete(e.type, name, e.object.metadata.name!);
      }
      if (contents.length === 0) {
        this.store.systemUpdate(nsType, ns, (o) => {
          const spec = (o.spec ?? {}) as { finalizers?: string[] };
          spec.finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes');
          o.spec = spec;
        });
      }
    }
  }

  private cleanUpCrds(): void {
    const crdType = this.store.registry.byKey(CRD_RESOURCE)!;
    for (const crd of this.store.list(crdType)) {
      if (!crd.metadata.deletionTimestamp || !crd.metadata.finalizers?.includes(CRD_FINALIZER)) continue;
      const served = fromCrd(crd);
      const type = this.store.registry.byKey(`${served.group}/${served.plural}`);
      const instances = type ? this.store.list(type) : [];
      for (const cr of instances) {
        if (!cr.metadata.deletionTimestamp) this.store.delete(type!, cr.metadata.namespace, cr.metadata.name!);
      }
      if (instances.length === 0) {
        if (type) this.store.registry.unregister(type);
        this.store.systemUpdate(crdType, crd, (o) => withoutFinalizer(o, CRD_FINALIZER));
      }
    }
  }

  private owner(dependent: KubeObject, ref: OwnerReference): Entry | undefined {
    const found = this.store.byUid(ref.uid);
    if (!found) return undefined;
    if (found.type.namespaced && found.object.metadata.namespace !== dependent.metadata.namespace) return undefined;
    return found;
  }

  private collectGarbage(entries: Entry[]): void {
    for (const { type, object } of entries) {
      const current = this.store.find(type, object.metadata.namespace, object.metadata.name!);
      if (!current || current.metadata.uid !== object.metadata.uid) continue;
      const refs = current.metadata.ownerReferences ?? [];
      if (refs.length === 0) continue;
      const owners = refs.map((ref) => ({ ref, owner: this.owner(current, ref) }));
      const orphaning = owners.filter((o) => o.owner?.object.metadata.finalizers?.includes('orphan'));
      const foreground = owners.some((o) => o.owner?.object.metadata.finalizers?.includes('foregroundDeletion'));
      const live = owners.filter((o) => o.owner && !o.owner.object.metadata.deletionTimestamp);
      const dangling = owners.filter((o) => !o.owner);
      if (orphaning.length > 0) {
        const drop = new Set(orphaning.map((o) => o.ref.uid));
        this.store.systemUpdate(type, current, (o) => {
          o.metadata.ownerReferences = refs.filter((r) => !drop.has(r.uid));
          if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
        });
      } else if (live.length === 0 && (dangling.length > 0 || foreground)) {
        if (!current.metadata.deletionTimestamp) {
          this.store.delete(type, current.metadata.namespace, current.metadata.name!, {
            propagationPolicy: foreground ? 'Foreground' : 'Background',
          });
        }
      } else if (dangling.length > 0 && live.length > 0) {
        const drop = new Set(dangling.map((o) => o.ref.uid));
        this.store.systemUpdate(type, current, (o) => {
          o.metadata.ownerReferences = refs.filter((r) => !drop.has(r.uid));
        });
      }
    }
  }

  /** Drops `orphan` once no dependent points at the owner, `foregroundDeletion` once no blocking dependent is left. */
  private releaseOwners(): void {
    const entries = this.all();
    for (const entry of entries) {
      const { type } = entry;
      const object = this.store.find(type, entry.object.metadata.namespace, entry.object.metadata.name!);
      if (!object?.metadata.deletionTimestamp) continue;
      const finalizers = object.metadata.finalizers ?? [];
      const uid = object.metadata.uid;
      const dependents = entries.filter((e) => (e.object.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
      if (finalizers.includes('orphan') && dependents.length === 0) {
        this.store.systemUpdate(type, object, (o) => withoutFinalizer(o, 'orphan'));
      } else if (finalizers.includes('foregroundDeletion')) {
        const blocking = dependents.filter((e) =>
          (e.object.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion),
        );
        if (blocking.length === 0)
          this.store.systemUpdate(type, object, (o) => withoutFinalizer(o, 'foregroundDeletion'));
      }
    }
  }
}
