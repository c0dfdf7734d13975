import type { V1ConfigMap } from '@kubernetes/client-node';
import { clusterLabels } from '../labels.js';
import * as names from '../names.js';
import { ownerReference } from './owner-reference.js';
import type { ResolvedCluster } from './resolve-cluster-spec.js';

/**
 * `ROCKETRY_*` settings shared by every broker group, loaded with `envFrom` (each `rocketry broker` flag has one).
 * Only what the spec sets is written, so the broker's own defaults apply otherwise and an operator upgrade changes
 * nothing. Pod identity (name, group, advertise) stays in args: flags win over env.
 */
export function brokerConfigMap(cluster: ResolvedCluster): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: names.brokerConfigMap(cluster),
      namespace: cluster.namespace,
      labels: { ...clusterLabels(cluster), 'app.kubernetes.io/component': 'broker' },
      ownerReferences: [ownerReference(cluster)],
    },
    data: { ...cluster.brokers.env },
  };
}
