import type { V1Secret } from '@kubernetes/client-node';
import { clusterLabels } from '../labels.js';
import * as names from '../names.js';
import { ownerReference } from './owner-reference.js';
import type { ResolvedCluster } from './resolve-cluster-spec.js';

export const MIN_ADMIN_TOKEN_LENGTH = 16;

/**
 * The admin token Secret the operator creates when the spec names none. The token comes from the caller (the
 * reconciler draws it from its injected random source), and the Secret is created once, never replaced: brokers and
 * the operator must keep agreeing on it. Undefined when the spec references a Secret of the user's.
 */
export function adminSecret(cluster: ResolvedCluster, token: string): V1Secret | undefined {
  if (!cluster.adminToken.managed) return undefined;
  // rocketry broker refuses a shorter --admin-token (dataplane/src/config.ts).
  if (token.length < MIN_ADMIN_TOKEN_LENGTH)
    throw new RangeError(`admin token needs ${MIN_ADMIN_TOKEN_LENGTH}+ characters`);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: names.adminSecret(cluster),
      namespace: cluster.namespace,
      labels: clusterLabels(cluster),
      ownerReferences: [ownerReference(cluster)],
    },
    stringData: { [cluster.adminToken.key]: token },
  };
}
