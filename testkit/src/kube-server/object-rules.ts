/**
 * Pure rules the apiserver applies to every write: metadata validation, what a create sets, what an update may change,
 * when metadata.generation moves, and how an object is marked for deletion. The store calls these; it does the I/O.
 */
import type { KubeObject, ObjectMeta } from './kube-object.js';
import { isPlainObject } from './kube-object.js';
import { jsonEqual } from './patch.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import { badRequest, type FieldCause, invalid } from './status.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Timestamps as the apiserver writes metav1.Time: RFC 3339, whole seconds, UTC. */
export const rfc3339 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function nameCauses(type: ResourceType, name: string): FieldCause[] {
  if (type.labelNames) {
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      return [
        {
          field: 'metadata.name',
          message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
        },
      ];
    }
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return [
      {
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      },
    ];
  }
  return [];
}

function qualifiedKeyCauses(field: string, key: string): FieldCause[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (
    (slash >= 0 && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) ||
    name.length > 63 ||
    !QUALIFIED_NAME.test(name)
  ) {
    return [
      {
        field,
        message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters, optional DNS subdomain prefix)`,
      },
    ];
  }
  return [];
}

/** A body of another kind or group is refused, as decoding it into the addressed resource fails in the apiserver. */
export function checkTypeMeta(type: ResourceType, body: KubeObject): void {
  if (body.kind !== undefined && body.kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`);
  }
  if (body.apiVersion !== undefined && !type.versions.some((v) => apiVersionOf(type, v) === body.apiVersion)) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersionOf(type, type.versions[0]!)})`,
    );
  }
}

/** Validates what every object's metadata must satisfy (ValidateObjectMeta). Throws 422 Invalid. */
export function validateMetadata(type: ResourceType, obj: KubeObject): void {
  const meta = obj.metadata;
  const name = meta.name ?? '';
  const causes: FieldCause[] = [...nameCauses(type, name)];
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    causes.push(...qualifiedKeyCauses(`metadata.labels`, key));
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push({
        field: 'metadata.labels',
        message: `Invalid value: "${String(value)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)`,
      });
    }
  }
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    causes.push(...qualifiedKeyCauses('metadata.annotations', key));
    if (typeof value !== 'string')
      causes.push({ field: `metadata.annotations`, message: `Invalid value: annotation ${key} must be a string` });
  }
  for (const ref of meta.ownerReferences ?? []) {
    if (!ref.uid || !ref.name || !ref.kind || !ref.apiVersion) {
      causes.push({
        field: 'metadata.ownerReferences',
        message: 'Invalid value: apiVersion, kind, name and uid are required',
      });
    }
  }
  if ((meta.ownerReferences ?? []).filter((r) => r.controller).length > 1) {
    causes.push({
      field: 'metadata.ownerReferences',
      message: 'Invalid value: Only one reference can have Controller set to true',
    });
  }
  if (causes.length > 0) throw invalid(type.kind, type.group, name, causes);
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The random suffix the apiserver appends to generateName (names.SimpleNameGenerator). */
export function generatedName(base: string, random: () => number = Math.random): string {
  const prefix = base.length > 58 ? base.slice(0, 58) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(random() * GENERATE_ALPHABET.length)];
  return prefix + suffix;
}

/** Everything but metadata (and status, when status has its own endpoint): what metadata.generation tracks. */
function specPart(type: ResourceType, obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
  if (type.statusSubresource) delete rest.status;
  return rest;
}

export function specChanged(type: ResourceType, before: KubeObject, after: KubeObject): boolean {
  return !jsonEqual(specPart(type, before) as never, specPart(type, after) as never);
}

/**
 * ObjectMeta is a Go struct with `omitempty` fields, so empty labels, annotations, finalizers and owner references
 * never come back from the apiserver, and sending them empty changes nothing.
 */
export function normalizeMetadata(meta: ObjectMeta): void {
  for (const field of ['labels', 'annotations'] as const) {
    const value = meta[field];
    if (value === null || (value !== undefined && Object.keys(value).length === 0)) delete meta[field];
  }
  for (const field of ['finalizers', 'ownerReferences'] as const) {
    const value = meta[field];
    if (value === null || (Array.isArray(value) && value.length === 0)) delete meta[field];
  }
  if (meta.generateName === '') delete meta.generateName;
}

export interface CreateContext {
  uid: string;
  now: Date;
  namespace: string | undefined;
}

/** Server-owned metadata and per-kind create rules (status dropped when it has its own endpoint). */
export function prepareForCreate(type: ResourceType, incoming: KubeObject, ctx: CreateContext): KubeObject {
  const obj = structuredClone(incoming);
  const meta: ObjectMeta = obj.metadata;
  for (const field of [
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'generation',
    'selfLink',
    'managedFields',
  ]) {
    delete meta[field];
  }
  meta.uid = ctx.uid;
  meta.creationTimestamp = rfc3339(ctx.now);
  if (type.namespaced) meta.namespace = ctx.namespace;
  else delete meta.namespace;
  normalizeMetadata(meta);
  if (type.tracksGeneration) meta.generation = 1;
  if (type.statusSubresource) {
    const status = initialStatus(type);
    if (status) obj.status = status;
    else delete obj.status;
  }
  return obj;
}

function initialStatus(type: ResourceType): Record<string, unknown> | undefined {
  if (type.group === '' && type.plural === 'namespaces') return { phase: 'Active' };
  if (type.group === '' && type.plural === 'pods') return { phase: 'Pending' };
  if (type.group === '' && type.plural === 'services') return { loadBalancer: {} };
  if (type.group === '' && type.plural === 'persistentvolumeclaims') return { phase: 'Pending' };
  return undefined;
}

export type UpdateTarget = 'main' | 'status';

/**
 * The object an update stores, given the stored one and the one sent. Identity and server-owned metadata come from the
 * stored object; a main-resource write keeps the stored status (when status has its own endpoint) and a status write
 * keeps everything but status. generation is bumped separately (`bumpGeneration`).
 */
export function prepareForUpdate(
  type: ResourceType,
  old: KubeObject,
  incoming: KubeObject,
  target: UpdateTarget,
): KubeObject {
  let obj: KubeObject;
  if (target === 'status') {
    obj = structuredClone(old);
    if (incoming.status === undefined) delete obj.status;
    else obj.status = structuredClone(incoming.status);
  } else {
    obj = structuredClone(incoming);
    obj.metadata = { ...obj.metadata };
    if (type.statusSubresource) {
      if (old.status === undefined) delete obj.status;
      else obj.status = structuredClone(old.status);
    }
  }
  const meta = obj.metadata;
  const oldMeta = old.metadata;
  for (const field of [
    'name',
    'namespace',
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'generation',
    'generateName',
  ] as const) {
    if (oldMeta[field] === undefined) delete meta[field];
    else meta[field] = oldMeta[field] as never;
  }
  delete meta.selfLink;
  delete meta.managedFields;
  normalizeMetadata(meta);
  return obj;
}

/**
 * Bumps metadata.generation when anything it tracks changed. Runs after defaulting, pruning and mutating admission,
 * as the apiserver's PrepareForUpdate does, so resending an object without its defaulted fields is no spec change.
 */
export function bumpGeneration(type: ResourceType, old: KubeObject, obj: KubeObject): void {
  if (type.tracksGeneration && specChanged(type, old, obj))
    obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
}

/** Rules an update must satisfy relative to the stored object (ValidateObjectMetaUpdate). Throws 422 Invalid. */
export function validateUpdate(type: ResourceType, old: KubeObject, updated: KubeObject): void {
  if (old.metadata.deletionTimestamp) {
    const before = new Set(old.metadata.finalizers ?? []);
    const added = (updated.metadata.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length > 0) {
      throw invalid(type.kind, type.group, old.metadata.name ?? '', [
        {
          field: 'metadata.finalizers',
          message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        },
      ]);
    }
  }
}

/** What DELETE does to an object that has finalizers: set deletionTimestamp once and bump generation once. */
export function markDeleting(obj: KubeObject, now: Date): KubeObject {
  const out = structuredClone(obj);
  if (out.metadata.deletionTimestamp) {
    // A pod in its grace period deleted again with grace period 0: the grace period ends now.
    if ((out.metadata.deletionGracePeriodSeconds ?? 0) > 0) {
      out.metadata.deletionTimestamp = rfc3339(now);
      out.metadata.deletionGracePeriodSeconds = 0;
    }
    return out;
  }
  if ((out.metadata.generation ?? 0) > 0) out.metadata.generation = (out.metadata.generation ?? 0) + 1;
  out.metadata.deletionTimestamp = rfc3339(now);
  out.metadata.deletionGracePeriodSeconds = 0;
  return out;
}

/**
 * Pods bound to a node are deleted gracefully: they stay, with deletionTimestamp in the future, until the kubelet (a
 * test, here) deletes them with grace period 0. Unbound and finished pods, and every other kind, go at once.
 */
export function podGracePeriodSeconds(
  type: ResourceType,
  obj: KubeObject,
  options: { gracePeriodSeconds?: number },
): number {
  if (type.group !== '' || type.plural !== 'pods') return 0;
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const phase = isPlainObject(obj.status) ? obj.status.phase : undefined;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const requested =
    options.gracePeriodSeconds ??
    (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30);
  const current = obj.metadata.deletionGracePeriodSeconds;
  return Math.max(0, current !== undefined ? Math.min(current, requested) : requested);
}

/** Graceful deletion: deletionTimestamp is when the grace period ends; a later delete may only shorten it. */
export function markGracefulDeleting(obj: KubeObject, now: Date, graceSeconds: number): KubeObject {
  const out = structuredClone(obj);
  if (out.metadata.deletionGracePeriodSeconds === graceSeconds && out.metadata.deletionTimestamp) return out;
  if (!out.metadata.deletionTimestamp && (out.metadata.generation ?? 0) > 0)
    out.metadata.generation = (out.metadata.generation ?? 0) + 1;
  out.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + graceSeconds * 1000));
  out.metadata.deletionGracePeriodSeconds = graceSeconds;
  return out;
}

/** Finalizers that still hold an object: metadata.finalizers plus a namespace's spec.finalizers. */
export function pendingFinalizers(obj: KubeObject): string[] {
  const specFinalizers =
    isPlainObject(obj.spec) && Array.isArray(obj.spec.finalizers) ? obj.spec.finalizers.map(String) : [];
  return [...(obj.metadata.finalizers ?? []), ...(obj.kind === 'Namespace' ? specFinalizers : [])];
}

/** An object marked for deletion goes once no finalizer holds it and its grace period (pods) is over. */
export function finishedDeleting(obj: KubeObject): boolean {
  return (
    obj.metadata.deletionTimestamp !== undefined &&
    (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0 &&
    pendingFinalizers(obj).length === 0
  );
}
