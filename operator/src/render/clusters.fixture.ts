import type { BrokerCluster } from './cluster-spec.js';

/** Input clusters shared by the renderer tests (each has a golden file under __golden__/). */
export const IMAGE_REPOSITORY = 'ghcr.io/rocketry/rocketry';

const metadata = { name: 'prod', namespace: 'mq-system', uid: '7f0c1c8e-2b1f-4c55-9f43-0d7a1f7b6a01', generation: 3 };

export const minimalCluster: BrokerCluster = {
  apiVersion: 'rocketry.io/v1alpha1',
  kind: 'BrokerCluster',
  metadata,
  spec: { version: '0.1.0' },
};

export const fullCluster: BrokerCluster = {
  apiVersion: 'rocketry.io/v1alpha1',
  kind: 'BrokerCluster',
  metadata,
  spec: {
    version: '0.1.0',
    image: 'registry.example/rocketry@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    nameServer: { replicas: 1, expiryMs: 30_000, resources: { requests: { cpu: '200m', memory: '256Mi' } } },
    brokers: {
      groups: 3,
      replicasPerGroup: 2,
      resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { memory: '8Gi' } },
      storage: { size: '200Gi', storageClassName: 'fast-ssd' },
      config: { flush: 'sync', retentionHours: 48, segmentMiB: 512, autoCreate: false, logLevel: 'warn' },
      terminationGracePeriodSeconds: 120,
      template: {
        pod: {
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'mq', effect: 'NoSchedule' }],
          nodeSelector: { 'node.kubernetes.io/pool': 'mq' },
          priorityClassName: 'mq-critical',
        },
      },
    },
    adminCredentials: { secretRef: { name: 'prod-admin-token', key: 'admin-token' } },
  },
};

export const ephemeralCluster: BrokerCluster = {
  apiVersion: 'rocketry.io/v1alpha1',
  kind: 'BrokerCluster',
  metadata: { ...metadata, name: 'dev' },
  spec: { version: '0.1.0', brokers: { groups: 2, storage: { type: 'Ephemeral', size: '5Gi' } } },
};

export const externalCluster: BrokerCluster = {
  apiVersion: 'rocketry.io/v1alpha1',
  kind: 'BrokerCluster',
  metadata: { ...metadata, name: 'legacy' },
  spec: {
    mode: 'External',
    external: {
      brokers: [{ name: 'broker-a', adminEndpoint: 'http://broker-a.legacy.svc:8082' }],
      adminCredentials: { secretRef: { name: 'legacy-admin' } },
    },
  },
};
