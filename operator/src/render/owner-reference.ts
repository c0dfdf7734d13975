import type { V1OwnerReference } from '@kubernetes/client-node';
import type { ResolvedCluster } from './resolve-cluster-spec.js';

export const API_VERSION = 'rocketry.io/v1alpha1';

/** Every rendered object is owned by its BrokerCluster, so deleting the cluster garbage-collects them. */
export function ownerReference(cluster: ResolvedCluster): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: 'BrokerCluster',
    name: cluster.name,
    uid: cluster.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
