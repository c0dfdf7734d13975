import type { V1ConfigMap, V1PodDisruptionBudget, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import * as names from '../names.js';
import { brokerStatefulSet, nameServerAddress } from './broker-statefulset.js';
import { brokerConfigMap } from './configmap.js';
import { nameServerStatefulSet } from './namesrv-statefulset.js';
import { brokerGroupPdb, nameServerPdb } from './pdb.js';
import { ADMIN_PORT, GRPC_PORT } from './ports.js';
import type { RenderContext } from './render-context.js';
import type { ResolvedCluster } from './resolve-cluster-spec.js';
import { brokerClientService, brokerGroupService, nameServerService } from './service.js';

export type RenderedObject = V1ConfigMap | V1Service | V1StatefulSet | V1PodDisruptionBudget;

/**
 * The broker group indexes that have objects: `0..groups-1` plus groups still draining after a scale-down, in order.
 */
export function renderedGroups(cluster: ResolvedCluster, ctx: RenderContext): number[] {
  const all = new Set<number>(ctx.retainedGroups);
  for (let i = 0; i < cluster.brokers.groups; i++) all.add(i);
  return [...all].sort((a, b) => a - b);
}

/**
 * Everything a BrokerCluster runs, in apply order (config, then Services, then workloads, then PDBs). External mode
 * runs nothing here: its brokers live elsewhere. The admin Secret is not in the list: it is created once, with a
 * token, by `adminSecret()`. Objects the cluster owns that are not in this list are to be pruned by the reconciler.
 */
export function renderBrokerCluster(cluster: ResolvedCluster, ctx: RenderContext): RenderedObject[] {
  if (cluster.mode === 'External') return [];
  const groups = renderedGroups(cluster, ctx);
  return [
    brokerConfigMap(cluster),
    nameServerService(cluster),
    ...groups.map((g) => brokerGroupService(cluster, g)),
    brokerClientService(cluster),
    nameServerStatefulSet(cluster),
    ...groups.map((g) => brokerStatefulSet(cluster, g, ctx)),
    ...(ctx.podDisruptionBudgets ? [nameServerPdb(cluster), ...groups.map((g) => brokerGroupPdb(cluster, g))] : []),
  ];
}

/** Where broker group `group` is reached: its pod 0 (one pod per group until replication exists). */
export function groupEndpoints(
  cluster: ResolvedCluster,
  group: number,
  ctx: RenderContext,
): { endpoint: string; adminUrl: string } {
  const sts = names.brokerStatefulSet(cluster, group);
  const host = names.podDnsName(cluster, sts, names.brokerService(cluster, group), 0, ctx.clusterDomain);
  return { endpoint: `${host}:${GRPC_PORT}`, adminUrl: `http://${host}:${ADMIN_PORT}` };
}

/** `status.endpoints` of a managed cluster: stable DNS names only. */
export function clusterEndpoints(cluster: ResolvedCluster, ctx: RenderContext): { nameServer: string; grpc: string[] } {
  return {
    nameServer: nameServerAddress(cluster, ctx),
    grpc: renderedGroups(cluster, ctx).map((g) => groupEndpoints(cluster, g, ctx).endpoint),
  };
}
