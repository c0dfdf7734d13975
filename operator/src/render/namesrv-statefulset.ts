import type { V1StatefulSet } from '@kubernetes/client-node';
import { objectLabels, selectorLabels } from '../labels.js';
import * as names from '../names.js';
import { ownerReference } from './owner-reference.js';
import {
  containerSecurityContext,
  httpProbe,
  podSecurityContext,
  rocketryCommand,
  tmpMount,
  tmpVolume,
} from './pod-common.js';
import { NAMESRV_PORT } from './ports.js';
import type { ResolvedCluster } from './resolve-cluster-spec.js';

/**
 * The name servers: `rocketry namesrv` with its defaults (no ConfigMap: nothing to configure yet), in memory (brokers re-register within one heartbeat after a restart), so no
 * volume. `OnDelete` like the brokers: the roller restarts name servers first, one at a time.
 */
export function nameServerStatefulSet(cluster: ResolvedCluster): V1StatefulSet {
  const { nameServer } = cluster;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: names.nameServerStatefulSet(cluster),
      namespace: cluster.namespace,
      labels: objectLabels(cluster, 'namesrv'),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      serviceName: names.nameServerService(cluster),
      replicas: nameServer.replicas,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'OnDelete' },
      selector: { matchLabels: selectorLabels(cluster, 'namesrv') },
      template: {
        metadata: {
          labels: objectLabels(cluster, 'namesrv'),
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(NAMESRV_PORT),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          terminationGracePeriodSeconds: 30,
          securityContext: podSecurityContext(),
          // Service links would inject ROCKETRY_NAMESRV_PORT=tcp://... into a cluster named `rocketry`, which
          // `rocketry namesrv` reads as its port.
          enableServiceLinks: false,
          containers: [
            {
              name: 'namesrv',
              image: cluster.image,
              ...(cluster.imagePullPolicy && { imagePullPolicy: cluster.imagePullPolicy }),
              command: rocketryCommand(),
              args: ['namesrv', '--host', '0.0.0.0', '--port', String(NAMESRV_PORT)],
              ports: [{ name: 'namesrv', containerPort: NAMESRV_PORT, protocol: 'TCP' }],
              // The name server has no /readyz: it is ready as soon as it answers.
              readinessProbe: httpProbe('/healthz', 'namesrv', 5, 3),
              livenessProbe: httpProbe('/healthz', 'namesrv', 10, 6),
              resources: structuredClone(nameServer.resources),
              securityContext: containerSecurityContext(),
              volumeMounts: [tmpMount()],
            },
          ],
          volumes: [tmpVolume()],
        },
      },
    },
  };
}
