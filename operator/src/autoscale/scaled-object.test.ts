import type { ConsumerGroup } from '@rocketry/crds';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderScaledObject, scaledObjectName } from './scaled-object.js';

const ctx = { scalerService: { name: 'rocketry-operator', namespace: 'rocketry-system' } };

const orders: ConsumerGroup = {
  apiVersion: 'rocketry.io/v1alpha1',
  kind: 'ConsumerGroup',
  metadata: { name: 'orders', namespace: 'shop', uid: '6f1c7a4e-0000-4000-8000-000000000001' },
  spec: {
    clusterRef: { name: 'prod' },
    fifo: false,
    maxDeliveryAttempts: 17,
    retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
    deletionPolicy: 'Delete',
    autoscaling: {
      mode: 'Keda',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'order-workers' },
      minReplicas: 0,
      maxReplicas: 20,
      lagPerReplica: 500,
      cooldownSeconds: 120,
      pollingSeconds: 10,
    },
  },
};

describe('renderScaledObject', () => {
  it('renders a KEDA ScaledObject with an external trigger at the operator scaler, bounds and timings from the spec', async () => {
    const yaml = stringify(renderScaledObject(orders, ctx), { sortMapEntries: false, lineWidth: 0 });
    await expect(yaml).toMatchFileSnapshot('./__golden__/scaled-object.yaml');
  });

  it('caps the HPA scale-down window at the API limit of one hour while cooldownPeriod keeps the full cooldown', () => {
    const long = {
      ...orders,
      spec: { ...orders.spec, autoscaling: { ...orders.spec.autoscaling!, cooldownSeconds: 7200 } },
    };
    const so = renderScaledObject(long, ctx);
    expect(so.spec.cooldownPeriod).toBe(7200);
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(3600);
  });

  it('names it <group>-mq, and cuts a long name to 63 characters with a hash so KEDA can label with it', () => {
    expect(scaledObjectName('orders')).toBe('orders-mq');
    const long = `${'a'.repeat(70)}.b`;
    const name = scaledObjectName(long);
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^a+-[0-9a-f]{8}-mq$/);
    expect(scaledObjectName(`${'a'.repeat(70)}.c`)).not.toBe(name);
  });
});
