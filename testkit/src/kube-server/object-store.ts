/**
 * Objects by resource, namespace and name, with the apiserver's write semantics: one global resourceVersion counter,
 * optimistic concurrency on updates, no-op updates that change nothing (no new resourceVersion, no event), the status
 * subresource split, finalizers and deletionTimestamp. Every change is published to the WatchHub.
 */
import { randomUUID } from 'node:crypto';
import { pruneAndDefault } from './crd-schema.js';
import { checkSchema } from './crd-validation.js';
import { admitKind } from './kind-rules.js';
import type { KubeObject } from './kube-object.js';
import { patchObject } from './object-patch.js';
import {
  bumpGeneration,
  checkTypeMeta,
  finishedDeleting,
  generatedName,
  markDeleting,
  markGracefulDeleting,
  pendingFinalizers,
  podGracePeriodSeconds,
  prepareForCreate,
  prepareForUpdate,
  type UpdateTarget,
  validateMetadata,
  validateUpdate,
} from './object-rules.js';
import { type Json, jsonEqual } from './patch.js';
import { ResourceRegistry } from './resource-registry.js';
import { apiVersionOf, type ResourceType, resourceKey } from './resource-types.js';
import { alreadyExists, badRequest, conflict, invalid, KubeStatusError, notFound } from './status.js';
import { WatchHub } from './watch-hub.js';

export type PatchType = 'merge' | 'json' | 'strategic';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WriteOptions {
  /** `dryRun=All`: run every check, store nothing. */
  dryRun?: boolean;
  /** `Strict` refuses fields the CRD schema would prune (400); `Warn` (the default) and `Ignore` prune silently. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE';
  type: ResourceType;
  subresource: UpdateTarget;
  object: KubeObject;
  oldObject?: KubeObject;
}

/** Runs after the server's own rules, before the write: return a changed object to mutate, throw to reject. */
export type Admission = (request: AdmissionRequest) => KubeObject | undefined;

export interface ObjectStoreOptions {
  now: () => Date;
  historySize: number;
  /** Creating in a namespace that does not exist fails with 404, in one being deleted with 403, as in a cluster. */
  namespaceLifecycle: boolean;
  admission?: Admission;
  /** Called after every change, so the background controllers (GC, namespace and CRD cleanup) can run. */
  onChange?: () => void;
}

const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export class ObjectStore {
  readonly registry = new ResourceRegistry();
  readonly hub: WatchHub;
  private resourceVersion = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly uids = new Map<string, { type: ResourceType; object: KubeObject }>();
  private nextClusterIp = 10;

  constructor(private readonly options: ObjectStoreOptions) {
    this.hub = new WatchHub(options.historySize);
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create(this.registry.byKey('/namespaces')!, undefined, { metadata: { name } });
    }
  }

  get currentResourceVersion(): number {
    return this.resourceVersion;
  }

  now(): Date {
    return this.options.now();
  }

  find(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(resourceKey(type))?.get(objectKey(type.namespaced ? namespace : undefined, name));
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.find(type, namespace, name);
    if (!obj) throw notFound(type, name);
    return obj;
  }

  byUid(uid: string): { type: ResourceType; object: KubeObject } | undefined {
    return this.uids.get(uid);
  }

  /** Objects of a resource, in one namespace or all, ordered by namespace and name as etcd returns them. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(resourceKey(type))?.entries() ?? [])];
    return all
      .filter(([, o]) => namespace === undefined || !type.namespaced || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
  }

  create(type: ResourceType, namespace: string | undefined, body: KubeObject, write: WriteOptions = {}): KubeObject {
    if (!body || typeof body !== 'object' || typeof body.metadata !== 'object' || body.metadata === null) {
      throw badRequest('the object provided is missing metadata');
    }
    checkTypeMeta(type, body);
    if (body.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (type.namespaced && body.metadata.namespace && body.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const incoming: KubeObject = { ...body, metadata: { ...body.metadata } };
    if (!incoming.metadata.name && incoming.metadata.generateName) {
      incoming.metadata.name = generatedName(incoming.metadata.generateName);
    }
    if (!incoming.metadata.name) {
      throw invalid(type.kind, type.group, '', [
        { field: 'metadata.name', message: 'Required value: name or generateName is required' },
      ]);
    }
    const name = incoming.metadata.name;
    if (type.namespaced) this.checkNamespaceOpen(type, namespace, name);
    let obj = prepareForCreate(type, incoming, { uid: randomUUID(), now: this.now(), namespace });
    obj.apiVersion = apiVersionOf(type, type.versions[0]!);
    obj.kind = type.kind;
    obj = admitKind(type, obj, undefined, { allocateClusterIp: () => this.allocateClusterIp() });
    obj = this.pruned(type, obj, write);
    obj = this.options.admission?.({ operation: 'CREATE', type, subresource: 'main', object: obj }) ?? obj;
    validateMetadata(type, obj);
    checkSchema(type, obj);
    if (this.find(type, namespace, name)) throw alreadyExists(type, name);
    if (write.dryRun) return obj;
    return this.commit(type, obj, 'ADDED');
  }

  /** PUT: replaces the object (or its status), refusing a stale metadata.resourceVersion with 409 Conflict. */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    target: UpdateTarget,
    write: WriteOptions = {},
  ): KubeObject {
    if (!body || typeof body.metadata !== 'object' || body.metadata === null)
      throw badRequest('the object provided is missing metadata');
    if (body.metadata.name && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (type.namespaced && body.metadata.namespace && body.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    checkTypeMeta(type, body);
    const old = this.get(type, namespace, name);
    const rv = body.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (type.custom) {
        throw invalid(type.kind, type.group, name, [
          { field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' },
        ]);
      }
    } else if (rv !== old.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    return this.replace(type, old, body, target, write);
  }

  /** PATCH: applies the patch to the stored object; a metadata.resourceVersion inside the patch is a precondition. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    body: Json,
    target: UpdateTarget,
    write: WriteOptions = {},
  ): KubeObject {
    const old = this.get(type, namespace, name);
    const obj = patchObject(type, old, patchType, body);
    if (obj.metadata.resourceVersion !== old.metadata.resourceVersion) throw conflict(type, name);
    if (obj.metadata.name !== old.metadata.name) throw badRequest('metadata.name cannot be changed by a patch');
    return this.replace(type, old, obj, target, write);
  }

  private replace(
    type: ResourceType,
    old: KubeObject,
    body: KubeObject,
    target: UpdateTarget,
    write: WriteOptions,
  ): KubeObject {
    let obj = prepareForUpdate(type, old, body, target);
    obj.apiVersion = old.apiVersion;
    obj.kind = old.kind;
    if (target === 'main') obj = admitKind(type, obj, old, { allocateClusterIp: () => this.allocateClusterIp() });
    obj = this.pruned(type, obj, write);
    obj =
      this.options.admission?.({ operation: 'UPDATE', type, subresource: target, object: obj, oldObject: old }) ?? obj;
    bumpGeneration(type, old, obj);
    validateMetadata(type, obj);
    validateUpdate(type, old, obj);
    checkSchema(type, obj);
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    if (jsonEqual(obj as unknown as Json, old as unknown as Json)) return old;
    if (write.dryRun) return obj;
    if (finishedDeleting(obj)) return this.remove(type, obj);
    return this.commit(type, obj, 'MODIFIED', old);
  }

  /**
   * DELETE: removes the object, or, while finalizers remain (including the `orphan` / `foregroundDeletion` ones the
   * propagation policy adds), sets deletionTimestamp and keeps it. Returns whether it is gone.
   */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
    write: WriteOptions = {},
  ): { deleted: boolean; object: KubeObject } {
    const old = this.get(type, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw new KubeStatusError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
        { name, kind: type.plural },
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw new KubeStatusError(
        409,
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
        { name, kind: type.plural },
      );
    }
    const grace = podGracePeriodSeconds(type, old, options);
    const obj = grace > 0 ? markGracefulDeleting(old, this.now(), grace) : markDeleting(old, this.now());
    const finalizers = new Set(obj.metadata.finalizers ?? []);
    if (options.propagationPolicy === 'Orphan') finalizers.add('orphan');
    if (options.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
    if (type.group === 'apiextensions.k8s.io' && type.plural === 'customresourcedefinitions') {
      finalizers.add('customresourcecleanup.apiextensions.k8s.io');
    }
    if (finalizers.size > 0) obj.metadata.finalizers = [...finalizers];
    if (type.group === '' && type.plural === 'namespaces')
      obj.status = { ...(obj.status as object), phase: 'Terminating' };
    const goesNow = grace === 0 && pendingFinalizers(obj).length === 0;
    if (write.dryRun) return { deleted: goesNow, object: obj };
    if (goesNow) return { deleted: true, object: this.remove(type, old) };
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    if (jsonEqual(obj as unknown as Json, old as unknown as Json)) return { deleted: false, object: old };
    return { deleted: false, object: this.commit(type, obj, 'MODIFIED', old) };
  }

  /** A write by a background controller (GC, namespace cleanup): no preconditions, no admission. */
  systemUpdate(type: ResourceType, old: KubeObject, change: (obj: KubeObject) => void): KubeObject {
    const obj = structuredClone(old);
    change(obj);
    if (jsonEqual(obj as unknown as Json, old as unknown as Json)) return old;
    if (finishedDeleting(obj)) return this.remove(type, obj);
    return this.commit(type, obj, 'MODIFIED', old);
  }

  /** Prunes and defaults by the CRD schema; with fieldValidation=Strict, a field the schema drops is a 400. */
  private pruned(type: ResourceType, obj: KubeObject, write: WriteOptions): KubeObject {
    const dropped: string[] = [];
    const out = pruneAndDefault(obj, type.schema, dropped);
    if (write.fieldValidation === 'Strict' && dropped.length > 0) {
      const version = String(obj.apiVersion ?? '').split('/')[1] ?? '';
      throw badRequest(
        `${type.kind} in version "${version}" cannot be handled as a ${type.kind}: strict decoding error: ${dropped.map((f) => `unknown field "${f}"`).join(', ')}`,
      );
    }
    return out;
  }

  private checkNamespaceOpen(type: ResourceType, namespace: string | undefined, name: string): void {
    if (!namespace) throw badRequest('a namespace is required for a namespaced resource');
    if (!this.options.namespaceLifecycle) return;
    const ns = this.find(this.registry.byKey('/namespaces')!, undefined, namespace);
    if (!ns) throw notFound({ group: '', plural: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new KubeStatusError(
        403,
        'Forbidden',
        `${type.group ? `${type.plural}.${type.group}` : type.plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { name, kind: type.plural },
      );
    }
  }

  private allocateClusterIp(): string {
    const n = this.nextClusterIp++;
    return `10.96.${(n >> 8) & 255}.${n & 255}`;
  }

  private commit(type: ResourceType, obj: KubeObject, eventType: 'ADDED' | 'MODIFIED', old?: KubeObject): KubeObject {
    const rv = ++this.resourceVersion;
    obj.metadata.resourceVersion = String(rv);
    Object.freeze(obj);
    const key = resourceKey(type);
    let bucket = this.objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(key, bucket);
    }
    bucket.set(objectKey(obj.metadata.namespace, obj.metadata.name!), obj);
    this.uids.set(obj.metadata.uid!, { type, object: obj });
    this.hub.publish({
      type: eventType,
      resource: key,
      resourceVersion: rv,
      object: obj,
      ...(old ? { oldObject: old } : {}),
    });
    this.options.onChange?.();
    return obj;
  }

  /** Removes the object; the DELETED event carries its last state at the deletion's resourceVersion. */
  private remove(type: ResourceType, obj: KubeObject): KubeObject {
    const rv = ++this.resourceVersion;
    const last: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    Object.freeze(last);
    const old = this.find(type, obj.metadata.namespace, obj.metadata.name!);
    this.objects.get(resourceKey(type))?.delete(objectKey(obj.metadata.namespace, obj.metadata.name!));
    this.uids.delete(obj.metadata.uid!);
    this.hub.publish({
      type: 'DELETED',
      resource: resourceKey(type),
      resourceVersion: rv,
      object: last,
      ...(old ? { oldObject: old } : {}),
    });
    this.options.onChange?.();
    return last;
  }

  /** Removes an object immediately, whatever its finalizers (used when a CRD's instances are torn down). */
  forceRemove(type: ResourceType, obj: KubeObject): void {
    this.remove(type, obj);
  }
}
