import type { V1Affinity, V1StatefulSet } from '@kubernetes/client-node';
import { CONFIG_HASH } from '../annotations.js';
import { CLUSTER_LABEL, COMPONENT_LABEL, objectLabels, selectorLabels } from '../labels.js';
import * as names from '../names.js';
import { configHash } from './config-hash.js';
import { brokerConfigMap } from './configmap.js';
import { ownerReference } from './owner-reference.js';
import {
  containerSecurityContext,
  httpProbe,
  podNameEnv,
  podSecurityContext,
  rocketryCommand,
  tmpMount,
  tmpVolume,
} from './pod-common.js';
import { ADMIN_PORT, DATA_DIR, GRPC_PORT, NAMESRV_PORT } from './ports.js';
import type { RenderContext } from './render-context.js';
import type { ResolvedCluster } from './resolve-cluster-spec.js';

/** `host:port` of the name server every broker registers with: pod 0's stable DNS name (see resolve-cluster-spec). */
export function nameServerAddress(cluster: ResolvedCluster, ctx: RenderContext): string {
  const sts = names.nameServerStatefulSet(cluster);
  const host = names.podDnsName(cluster, sts, names.nameServerService(cluster), 0, ctx.clusterDomain);
  return `${host}:${NAMESRV_PORT}`;
}

/** Spread the cluster's brokers over nodes (preferred, so a small cluster still schedules). */
function defaultAffinity(cluster: ResolvedCluster): V1Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: { [CLUSTER_LABEL]: cluster.name, [COMPONENT_LABEL]: 'broker' } },
          },
        },
      ],
    },
  };
}

/**
 * Broker group `group`: one StatefulSet, `OnDelete` (the operator's roller picks which pod restarts, one at a time),
 * each pod a `rocketry broker` advertising its stable DNS name. Nothing in the pod template depends on replica or
 * group counts, so scaling never rolls pods; the config hash does.
 */
export function brokerStatefulSet(cluster: ResolvedCluster, group: number, ctx: RenderContext): V1StatefulSet {
  const groupName = names.brokerGroup(cluster, group);
  const service = names.brokerService(cluster, group);
  const { brokers, adminToken } = cluster;
  const hash = configHash({
    config: brokerConfigMap(cluster).data,
    adminToken: { secretName: adminToken.secretName, key: adminToken.key },
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: names.brokerStatefulSet(cluster, group),
      namespace: cluster.namespace,
      labels: objectLabels(cluster, 'broker', groupName),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      serviceName: service,
      replicas: brokers.replicasPerGroup,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'OnDelete' },
      selector: { matchLabels: selectorLabels(cluster, 'broker', groupName) },
      template: {
        metadata: {
          labels: objectLabels(cluster, 'broker', groupName),
          annotations: {
            [CONFIG_HASH]: hash,
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(ADMIN_PORT),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          terminationGracePeriodSeconds: brokers.terminationGracePeriodSeconds,
          securityContext: podSecurityContext(),
          // Service links would inject ROCKETRY_NAMESRV_PORT=tcp://... into a cluster named `rocketry`, which
          // `rocketry namesrv` reads as its port.
          enableServiceLinks: false,
          affinity: defaultAffinity(cluster),
          containers: [
            {
              name: 'broker',
              image: cluster.image,
              ...(cluster.imagePullPolicy && { imagePullPolicy: cluster.imagePullPolicy }),
              command: rocketryCommand(),
              args: [
                'broker',
                '--data-dir',
                DATA_DIR,
                '--grpc-port',
                String(GRPC_PORT),
                '--admin-port',
                String(ADMIN_PORT),
                '--advertise',
                `${names.podDnsNameTemplate(cluster, service, ctx.clusterDomain)}:${GRPC_PORT}`,
                '--name',
                '$(POD_NAME)',
                '--group',
                groupName,
                '--namesrv',
                nameServerAddress(cluster, ctx),
              ],
              // The token goes in by env (ROCKETRY_ADMIN_TOKEN is --admin-token), so it is not in the process args.
              env: [
                podNameEnv(),
                {
                  name: 'ROCKETRY_ADMIN_TOKEN',
                  valueFrom: { secretKeyRef: { name: adminToken.secretName, key: adminToken.key } },
                },
              ],
              envFrom: [{ configMapRef: { name: names.brokerConfigMap(cluster) } }],
              ports: [
                { name: 'grpc', containerPort: GRPC_PORT, protocol: 'TCP' },
                { name: 'admin', containerPort: ADMIN_PORT, protocol: 'TCP' },
              ],
              // The admin server listens only once recovery is done: the startup probe covers a long recovery.
              startupProbe: httpProbe('/healthz', 'admin', 10, 180),
              readinessProbe: httpProbe('/readyz', 'admin', 5, 3),
              livenessProbe: httpProbe('/healthz', 'admin', 10, 6),
              resources: structuredClone(brokers.resources),
              securityContext: containerSecurityContext(),
              volumeMounts: [{ name: 'data', mountPath: DATA_DIR }, tmpMount()],
            },
          ],
          volumes: [tmpVolume()],
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', labels: selectorLabels(cluster, 'broker', groupName) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: brokers.storage.size } },
            ...(brokers.storage.storageClassName !== undefined && {
              storageClassName: brokers.storage.storageClassName,
            }),
          },
        },
      ],
    },
  };
}
