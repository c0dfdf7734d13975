/**
 * The `/scale` subresource: an autoscaling/v1 Scale view of a workload or custom resource, read from and written to the
 * paths its scale subresource names (`.spec.replicas`, `.status.replicas`, the label selector).
 */
import type { KubeObject } from './kube-object.js';
import { isPlainObject, readPath, writePath } from './kube-object.js';
import type { ResourceType } from './resource-types.js';
import { labelSelectorToString } from './selectors.js';
import { badRequest } from './status.js';

export interface Scale {
  apiVersion: 'autoscaling/v1';
  kind: 'Scale';
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string };
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

function selectorOf(type: ResourceType, obj: KubeObject): string | undefined {
  if (type.custom) {
    const path = type.scale?.labelSelectorPath;
    const value = path ? readPath(obj, path) : undefined;
    return typeof value === 'string' ? value : undefined;
  }
  const selector = readPath(obj, '.spec.selector');
  return isPlainObject(selector) ? labelSelectorToString(selector) : undefined;
}

export function toScale(type: ResourceType, obj: KubeObject): Scale {
  const scale = type.scale!;
  const specReplicas = readPath(obj, scale.specReplicasPath);
  const statusReplicas = readPath(obj, scale.statusReplicasPath);
  const selector = selectorOf(type, obj);
  const m = obj.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: typeof specReplicas === 'number' ? { replicas: specReplicas } : {},
    status: {
      replicas: typeof statusReplicas === 'number' ? statusReplicas : 0,
      ...(selector !== undefined ? { selector } : {}),
    },
  };
}

/** The object with spec replicas taken from a Scale; metadata.resourceVersion carries the Scale's precondition. */
export function applyScale(type: ResourceType, obj: KubeObject, scale: unknown): KubeObject {
  if (!isPlainObject(scale) || !isPlainObject(scale.spec)) throw badRequest('a Scale object with spec is required');
  const replicas = scale.spec.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    throw badRequest('spec.replicas must be a non-negative integer');
  }
  const out = structuredClone(obj) as KubeObject;
  writePath(out, type.scale!.specReplicasPath, replicas ?? 0);
  const meta = isPlainObject(scale.metadata) ? scale.metadata : {};
  if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '')
    out.metadata.resourceVersion = meta.resourceVersion;
  else delete out.metadata.resourceVersion;
  return out;
}
