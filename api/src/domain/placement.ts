import { ApiError } from '../errors.js';

export interface PlacementCandidate {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly sharing: 'shared' | 'dedicated';
  /** Instances already placed on it. */
  readonly instances: number;
}

export interface Placement {
  readonly clusterId: string;
  /** The RocketMQ resource namespace on a shared cluster; null on a dedicated one (the instance owns it). */
  readonly namespace: string | null;
}

/**
 * Where a new instance goes. Asked for a cluster: that one, if it is in the region and (when dedicated) still free.
 * Otherwise the shared cluster of the region with the fewest instances (ties by name, so placement is
 * deterministic). An instance on a shared cluster gets a resource namespace derived from its id.
 */
export function placeInstance(
  instanceId: string,
  region: string,
  candidates: readonly PlacementCandidate[],
  requestedClusterId?: string,
): Placement {
  if (requestedClusterId !== undefined) {
    const cluster = candidates.find((c) => c.id === requestedClusterId);
    if (!cluster) {
      throw new ApiError('validation-failed', `cluster ${requestedClusterId} does not exist`, {
        errors: [{ pointer: '/clusterId', detail: 'no such cluster' }],
      });
    }
    if (cluster.region !== region) {
      throw new ApiError('conflict-state', `cluster ${cluster.name} is in region ${cluster.region}, not ${region}`);
    }
    if (cluster.sharing === 'dedicated' && cluster.instances > 0) {
      throw new ApiError('no-capacity', `dedicated cluster ${cluster.name} already hosts an instance`);
    }
    return { clusterId: cluster.id, namespace: cluster.sharing === 'shared' ? namespaceOf(instanceId) : null };
  }
  const shared = candidates
    .filter((c) => c.region === region && c.sharing === 'shared')
    .sort((a, b) => a.instances - b.instances || a.name.localeCompare(b.name));
  const chosen = shared[0];
  if (!chosen) throw new ApiError('no-capacity', `no shared cluster serves region ${region}`);
  return { clusterId: chosen.id, namespace: namespaceOf(instanceId) };
}

/** RocketMQ namespaces take [A-Za-z0-9_-]; the instance id already is that and unique. */
export const namespaceOf = (instanceId: string) => instanceId;
