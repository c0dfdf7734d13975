import { type BrokerCluster, validateSpec } from '@rocketry/crds';

/** Input clusters shared by the renderer tests (each has a golden file under __golden__/). */
export const DEFAULT_IMAGE = 'ghcr.io/rocketry/rocketry:0.1.0';

const metadata = { name: 'prod', namespace: 'mq-system', uid: '7f0c1c8e-2b1f-4c55-9f43-0d7a1f7b6a01', generation: 3 };

/** As the API server would store it: CRD defaults applied and CEL rules passed. */
export function cluster(spec: Record<string, unknown>, meta: Partial<typeof metadata> = {}): BrokerCluster {
  const result = validateSpec('BrokerCluster', {
    apiVersion: 'rocketry.io/v1alpha1',
    kind: 'BrokerCluster',
    metadata: { ...metadata, ...meta },
    spec,
  });
  if (!result.valid) throw new Error(result.message);
  return result.object;
}

export const minimalCluster = cluster({});

export const fullCluster = cluster({
  image: 'registry.example/rocketry@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  imagePullPolicy: 'IfNotPresent',
  nameServer: { replicas: 1, resources: { requests: { cpu: '200m', memory: '256Mi' } } },
  brokers: {
    groups: 3,
    resources: { requests: { cpu: 2, memory: '8Gi' }, limits: { memory: '8Gi' } },
    storage: { size: '200Gi', storageClassName: 'fast-ssd' },
    config: { flush: 'sync', retentionHours: 48, segmentMiB: 512, logLevel: 'warn' },
  },
  adminSecretRef: { name: 'prod-admin-token', key: 'admin-token' },
});

export const externalCluster = cluster(
  {
    mode: 'External',
    external: { brokers: [{ name: 'broker-a', adminUrl: 'http://broker-a.legacy.svc:8082' }] },
  },
  { name: 'legacy' },
);
