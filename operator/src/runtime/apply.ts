import { isAlreadyExists } from './errors.js';
import type { KubeClient } from './kube-client.js';
import type { KubeObject } from './kube-object.js';
import { type ResourceType, resourceTypeOf } from './resources.js';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Whether every field of `desired` is in `actual` with the same value: maps may have more keys (server defaults, other
 * writers' labels), lists must have the same length and match element by element. This is what "only write when the
 * desired fields differ" means, and why steady state costs no writes although the server adds defaults.
 */
export function isSubset(desired: unknown, actual: unknown): boolean {
  if (desired === actual) return true;
  if (desired === undefined) return true;
  // The apiserver leaves empty maps and lists out (omitempty): `data: {}` or `tolerations: []` reads back absent.
  if ((actual === undefined || actual === null) && isEmpty(desired)) return true;
  if (typeof desired !== 'object' || desired === null || typeof actual !== 'object' || actual === null) return false;
  if (Array.isArray(desired)) {
    return Array.isArray(actual) && desired.length === actual.length && desired.every((d, i) => isSubset(d, actual[i]));
  }
  if (Array.isArray(actual)) return false;
  const a = actual as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([k, v]) => isSubset(v, a[k]));
}

/**
 * A ConfigMap's (or Secret's) `data` is the operator's whole: keys it no longer renders are removed (a merge patch
 * alone would keep them).
 */
function droppedDataKeys(desired: KubeObject, existing: KubeObject): string[] {
  const want = (desired as { data?: Record<string, unknown> }).data;
  const have = (existing as { data?: Record<string, unknown> }).data;
  if (!want || !have) return [];
  return Object.keys(have).filter((k) => !(k in want));
}

const isEmpty = (v: unknown) =>
  typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);

/** The fields of a rendered object the operator owns: its labels, annotations, owner references and everything else. */
function ownedFields(desired: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...rest } = desired as KubeObject & { status?: unknown };
  return {
    metadata: {
      ...(metadata?.labels && { labels: metadata.labels }),
      ...(metadata?.annotations && { annotations: metadata.annotations }),
      ...(metadata?.ownerReferences && { ownerReferences: metadata.ownerReferences }),
    },
    ...rest,
  };
}

/**
 * Create-or-update without server-side apply: create when `current` is absent (then re-read and compare if it existed
 * after all), otherwise a JSON merge patch of the owned fields carrying `current`'s resourceVersion (409 when the cache
 * was stale: the caller's reconcile is retried), and nothing at all when the owned fields already match. Maps merge
 * (fields set by others stay), lists are replaced. `current` usually comes from an informer cache.
 */
export async function applyObject<T extends KubeObject>(
  client: KubeClient,
  desired: T,
  current: T | undefined,
  rt: ResourceType = resourceTypeOf(desired),
): Promise<{ outcome: ApplyOutcome; object: T }> {
  const { namespace, name = '' } = desired.metadata ?? {};
  let existing = current;
  if (!existing) {
    try {
      return { outcome: 'created', object: await client.create(rt, desired) };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      existing = await client.get<T>(rt, namespace, name);
      if (!existing) throw err;
    }
  }
  const owned = ownedFields(desired);
  const dropped = droppedDataKeys(desired, existing);
  if (dropped.length === 0 && isSubset(owned, existing)) return { outcome: 'unchanged', object: existing };
  const patch = {
    ...owned,
    ...(dropped.length > 0 && {
      data: { ...(owned.data as object), ...Object.fromEntries(dropped.map((k) => [k, null])) },
    }),
    metadata: { ...(owned.metadata as object), resourceVersion: existing.metadata?.resourceVersion },
  };
  return { outcome: 'updated', object: await client.mergePatch<T>(rt, namespace, name, patch) };
}

/**
 * Writes `status` through the status subresource (merge patch, conditional on the resourceVersion the status was
 * computed from). Call it only when the status helper says `changed`.
 */
export function writeStatus<T extends KubeObject>(client: KubeClient, rt: ResourceType, obj: T, status: unknown) {
  const { namespace, name = '', resourceVersion } = obj.metadata ?? {};
  // Lists in status (conditions, groups) are replaced whole by a merge patch, which is what we want.
  return client.mergePatch<T>(rt, namespace, name, { metadata: { resourceVersion }, status }, 'status');
}
