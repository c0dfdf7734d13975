/**
 * What the apiextensions server does when a CustomResourceDefinition is written: check its name, start serving its
 * kind (status and scale subresources as declared) and report `NamesAccepted` and `Established` in its status.
 * Done synchronously, so a CR can be created right after its CRD (a real cluster takes a moment; clients should
 * wait for `Established`, which is already true here).
 */
import type { KubeObject } from './kube-object.js';
import { rfc3339 } from './object-rules.js';
import type { ObjectStore } from './object-store.js';
import { fromCrd, type ResourceType } from './resource-types.js';
import { invalid } from './status.js';

/** Throws 422 Invalid when the CRD cannot be served (name not `<plural>.<group>`, no served version, no kind). */
export function validateCrd(crdType: ResourceType, crd: KubeObject): void {
  const served = fromCrd(crd);
  const name = crd.metadata.name ?? '';
  const causes = [];
  if (name !== `${served.plural}.${served.group}`) {
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
    });
  }
  if (!served.group.includes('.'))
    causes.push({ field: 'spec.group', message: 'Invalid value: should be a domain with at least one dot' });
  if (!served.kind) causes.push({ field: 'spec.names.kind', message: 'Required value' });
  if (served.versions.length === 0)
    causes.push({ field: 'spec.versions', message: 'Invalid value: must have at least one served version' });
  if (causes.length > 0) throw invalid(crdType.kind, crdType.group, name, causes);
}

export function establishCrd(store: ObjectStore, crdType: ResourceType, crd: KubeObject): KubeObject {
  if (crd.metadata.deletionTimestamp) return crd;
  const served = fromCrd(crd);
  store.registry.register(served);
  const spec = crd.spec as { names?: Record<string, unknown>; versions?: { name: string; storage?: boolean }[] };
  const now = rfc3339(store.now());
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return store.systemUpdate(crdType, crd, (o) => {
    const old = (o.status ?? {}) as { conditions?: { type: string }[]; storedVersions?: string[] };
    const keep = (type: string, fresh: ReturnType<typeof condition>) =>
      old.conditions?.find((c) => c.type === type) ?? fresh;
    const storage = spec.versions?.find((v) => v.storage)?.name;
    o.status = {
      conditions: [
        keep('NamesAccepted', condition('NamesAccepted', 'NoConflicts', 'no conflicts found')),
        keep('Established', condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted')),
      ],
      acceptedNames: { ...spec.names, singular: served.singular, listKind: served.listKind },
      storedVersions: [...new Set([...(old.storedVersions ?? []), ...(storage ? [storage] : [])])],
    };
  });
}
