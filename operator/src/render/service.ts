import type { V1Service } from '@kubernetes/client-node';
import { objectLabels, selectorLabels } from '../labels.js';
import * as names from '../names.js';
import { ownerReference } from './owner-reference.js';
import { ADMIN_PORT, GRPC_PORT, NAMESRV_PORT } from './ports.js';
import type { ResolvedCluster } from './resolve-cluster-spec.js';

/**
 * Headless: gives each name-server pod its stable DNS name. Not-ready addresses are published, so brokers resolve the
 * name server while it starts (they retry their heartbeat until it answers).
 */
export function nameServerService(cluster: ResolvedCluster): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: names.nameServerService(cluster),
      namespace: cluster.namespace,
      labels: objectLabels(cluster, 'namesrv'),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(cluster, 'namesrv'),
      ports: [{ name: 'namesrv', port: NAMESRV_PORT, targetPort: 'namesrv', protocol: 'TCP' }],
    },
  };
}

/**
 * Headless, one per broker group: the DNS names brokers advertise in routes. Published before Ready because a broker
 * registers (and so appears in routes) just before its readiness flips.
 */
export function brokerGroupService(cluster: ResolvedCluster, group: number): V1Service {
  const groupName = names.brokerGroup(cluster, group);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: names.brokerService(cluster, group),
      namespace: cluster.namespace,
      labels: objectLabels(cluster, 'broker', groupName),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(cluster, 'broker', groupName),
      ports: [
        { name: 'grpc', port: GRPC_PORT, targetPort: 'grpc', protocol: 'TCP' },
        { name: 'admin', port: ADMIN_PORT, targetPort: 'admin', protocol: 'TCP' },
      ],
    },
  };
}

/**
 * Client bootstrap endpoint over every ready broker of the cluster: any broker answers QueryRoute, and routes then
 * name each broker by its stable DNS name. Also what a ServiceMonitor selects (port `admin`, path `/metrics`).
 */
export function brokerClientService(cluster: ResolvedCluster): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: names.brokerClientService(cluster),
      namespace: cluster.namespace,
      labels: objectLabels(cluster, 'broker'),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(cluster, 'broker'),
      ports: [
        { name: 'grpc', port: GRPC_PORT, targetPort: 'grpc', protocol: 'TCP' },
        { name: 'admin', port: ADMIN_PORT, targetPort: 'admin', protocol: 'TCP' },
      ],
    },
  };
}
