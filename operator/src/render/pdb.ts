import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { objectLabels, selectorLabels } from '../labels.js';
import * as names from '../names.js';
import { ownerReference } from './owner-reference.js';
import type { ResolvedCluster } from './resolve-cluster-spec.js';

/** One voluntary disruption at a time among the name servers. */
export function nameServerPdb(cluster: ResolvedCluster): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: names.nameServerPdb(cluster),
      namespace: cluster.namespace,
      labels: objectLabels(cluster, 'namesrv'),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(cluster, 'namesrv') } },
  };
}

/** Per broker group, so a node drain never evicts two pods of one group together. */
export function brokerGroupPdb(cluster: ResolvedCluster, group: number): V1PodDisruptionBudget {
  const groupName = names.brokerGroup(cluster, group);
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: names.brokerPdb(cluster, group),
      namespace: cluster.namespace,
      labels: objectLabels(cluster, 'broker', groupName),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(cluster, 'broker', groupName) } },
  };
}
