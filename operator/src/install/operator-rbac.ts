import type { V1PolicyRule } from '@kubernetes/client-node';

const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const KINDS = ['brokerclusters', 'topics', 'consumergroups', 'eventrules'];

/**
 * What the operator may do in the namespaces it watches (`rocketry.operatorRules` in the chart's _helpers.tpl).
 * No wildcards. Secrets are read and created, never updated or deleted (the admin Secret is created once and owner
 * references delete it with its cluster); pods are read and deleted (rolls), never created or changed.
 */
export function operatorRules(): V1PolicyRule[] {
  return [
    { apiGroups: ['rocketry.io'], resources: [...KINDS], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
    { apiGroups: ['rocketry.io'], resources: KINDS.map((k) => `${k}/status`), verbs: ['get', 'update', 'patch'] },
    // Owner references with blockOwnerDeletion need update on the owner's finalizers subresource.
    { apiGroups: ['rocketry.io'], resources: KINDS.map((k) => `${k}/finalizers`), verbs: ['update'] },
    { apiGroups: ['apps'], resources: ['statefulsets'], verbs: [...WRITE] },
    { apiGroups: [''], resources: ['services', 'configmaps'], verbs: [...WRITE] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create'] },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: [...WRITE] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    // Autoscaling: the target workload is read and scaled through its scale subresource, never edited.
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale'], verbs: ['get', 'update', 'patch'] },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: [...WRITE] },
    { apiGroups: ['keda.sh'], resources: ['scaledobjects'], verbs: [...WRITE] },
  ];
}

/** The operator's own Lease, in its namespace only. */
export function leaderElectionRules(): V1PolicyRule[] {
  return [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'patch'] }];
}

/** The API applies tenants' custom resources into their namespaces; it reads no workloads or Secrets. */
export function apiRules(): V1PolicyRule[] {
  return [
    { apiGroups: ['rocketry.io'], resources: [...KINDS], verbs: [...WRITE] },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch', 'create'] },
  ];
}
