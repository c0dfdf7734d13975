/**
 * Objects as the API server sends them (plain JSON: timestamps are RFC 3339 strings). Typed views such as client-node's
 * `V1StatefulSet` are cast from this; only the metadata is read generically.
 */
export interface KubeMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: unknown;
  deletionTimestamp?: unknown;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeMeta;
}

/** `namespace/name` (or `name` for cluster-scoped objects): the work-queue key of an object. */
export type ObjectKey = string;

export const keyOf = (obj: KubeObject): ObjectKey => objectKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
export const objectKey = (namespace: string | undefined, name: string): ObjectKey =>
  namespace ? `${namespace}/${name}` : name;

export function splitKey(key: ObjectKey): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
