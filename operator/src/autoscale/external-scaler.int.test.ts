import { type Client, credentials, loadPackageDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ConsumerGroup } from '@rocketry/crds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startCluster, type TestCluster, topicAndGroup } from './brokers.fixture.js';
import { ConsumerGroupLag } from './consumer-group-lag.js';
import { EXTERNAL_SCALER_PROTO, type ExternalScaler, startExternalScaler } from './external-scaler.js';
import { LagCache } from './lag-cache.js';

/**
 * KEDA's side of the contract: a grpc-js client built from operator/proto/externalscaler.proto calls the operator's
 * scaler, whose lag comes from real brokers through ConsumerGroupLag (readClusterLag behind a LagCache).
 */
type Unary = (req: object, cb: (err: ServiceError | null, res: Record<string, unknown>) => void) => void;
type ScalerClient = Client &
  Record<'IsActive' | 'GetMetricSpec' | 'GetMetrics', Unary> & {
    StreamIsActive(req: object): NodeJS.ReadableStream & { cancel(): void };
  };

const NAMESPACE = 'shop';
let cluster: TestCluster;
let scaler: ExternalScaler;
let client: ScalerClient;
/** The ConsumerGroups the runtime's informer would hold, by name in `shop`; `down`'s cluster has no live broker. */
const groups = new Map<string, ConsumerGroup>();

function consumerGroup(name: string, brokerGroup: string, clusterName = 'prod'): ConsumerGroup {
  return {
    apiVersion: 'rocketry.io/v1alpha1',
    kind: 'ConsumerGroup',
    metadata: { name, namespace: NAMESPACE, uid: `uid-${name}` },
    spec: {
      clusterRef: { name: clusterName },
      groupName: brokerGroup,
      fifo: false,
      maxDeliveryAttempts: 17,
      retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
      deletionPolicy: 'Delete',
      autoscaling: {
        mode: 'Keda',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${name}-workers` },
        minReplicas: 0,
        maxReplicas: 10,
        lagPerReplica: 100,
        cooldownSeconds: 300,
        pollingSeconds: 15,
      },
    },
  };
}

/** The wiring the runtime uses: informer lookups, the cluster's admin endpoints, a lag cache (short TTL here). */
const source = () =>
  new ConsumerGroupLag({
    consumerGroup: (key) => (key.namespace === NAMESPACE ? groups.get(key.name) : undefined),
    brokers: async (cg) => ({
      adminUrls: cg.spec.clusterRef.name === 'prod' ? cluster.adminUrls : ['http://127.0.0.1:9'],
    }),
    cache: new LagCache({ ttlMs: 50 }),
    timeoutMs: 500,
  });

const ref = (consumerGroup: string | undefined) => ({
  name: `${consumerGroup}-mq`,
  namespace: NAMESPACE,
  scalerMetadata: {
    scalerAddress: 'rocketry-operator.rocketry-system.svc:8091',
    ...(consumerGroup !== undefined && { consumerGroup }),
  },
});

const call = (method: 'IsActive' | 'GetMetricSpec' | 'GetMetrics', req: object) =>
  new Promise<Record<string, unknown>>((resolve, reject) =>
    client[method](req, (err, res) => (err ? reject(err) : resolve(res))),
  );

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (err: ServiceError) => status[err.code],
  );

beforeAll(async () => {
  cluster = await startCluster(2);
  scaler = await startExternalScaler({ source: source(), host: '127.0.0.1', port: 0, streamIntervalMs: 100 });
  const definition = loadSync(EXTERNAL_SCALER_PROTO, { keepCase: true, longs: Number, defaults: true });
  const pkg = loadPackageDefinition(definition) as unknown as {
    externalscaler: {
      ExternalScaler: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => ScalerClient;
    };
  };
  client = new pkg.externalscaler.ExternalScaler(`127.0.0.1:${scaler.port}`, credentials.createInsecure());
}, 60_000);

afterAll(async () => {
  client?.close();
  await scaler?.close();
  await cluster?.stop();
});

describe('external scaler (externalscaler.ExternalScaler over gRPC)', () => {
  it("serves KEDA's exact method paths", () => {
    const definition = loadSync(EXTERNAL_SCALER_PROTO, { keepCase: true });
    const service = definition['externalscaler.ExternalScaler'] as Record<
      string,
      { path: string; responseStream: boolean }
    >;
    expect(Object.fromEntries(Object.entries(service).map(([m, d]) => [m, [d.path, d.responseStream]]))).toEqual({
      IsActive: ['/externalscaler.ExternalScaler/IsActive', false],
      StreamIsActive: ['/externalscaler.ExternalScaler/StreamIsActive', true],
      GetMetricSpec: ['/externalscaler.ExternalScaler/GetMetricSpec', false],
      GetMetrics: ['/externalscaler.ExternalScaler/GetMetrics', false],
    });
  });

  it('answers IsActive false, GetMetricSpec lagPerReplica and GetMetrics 0 for a group with no lag', async () => {
    const { group } = await topicAndGroup(cluster);
    groups.set('idle', consumerGroup('idle', group));
    expect(await call('IsActive', ref('idle'))).toEqual({ result: false });
    expect(await call('GetMetricSpec', ref('idle'))).toEqual({
      metricSpecs: [{ metricName: 'rocketry-lag-idle', targetSize: 100, targetSizeFloat: 100 }],
    });
    expect(await call('GetMetrics', { scaledObjectRef: ref('idle'), metricName: 's0-rocketry-lag-idle' })).toEqual({
      metricValues: [{ metricName: 's0-rocketry-lag-idle', metricValue: 0, metricValueFloat: 0 }],
    });
  });

  it('answers IsActive true and GetMetrics with the total lag over both broker groups for a backlog', async () => {
    const { topic, group } = await topicAndGroup(cluster);
    groups.set('orders', consumerGroup('orders', group));
    await send(cluster, topic, 250);
    expect(await call('IsActive', ref('orders'))).toEqual({ result: true });
    expect(await call('GetMetricSpec', ref('orders'))).toMatchObject({ metricSpecs: [{ targetSizeFloat: 100 }] });
    expect(await call('GetMetrics', { scaledObjectRef: ref('orders'), metricName: 's0-rocketry-lag-orders' })).toEqual({
      metricValues: [{ metricName: 's0-rocketry-lag-orders', metricValue: 250, metricValueFloat: 250 }],
    });
  });

  it('streams IsActive: the current answer at once, then the change when a backlog arrives', async () => {
    const { topic, group } = await topicAndGroup(cluster);
    groups.set('stream', consumerGroup('stream', group));
    const stream = client.StreamIsActive(ref('stream'));
    const seen: boolean[] = [];
    const arrived = new Promise<void>((resolve, reject) => {
      stream.on('data', (m: { result: boolean }) => {
        seen.push(m.result);
        if (m.result) resolve();
      });
      stream.on('error', (err: ServiceError) => {
        if (err.code !== status.CANCELLED) reject(err);
      });
    });
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 20));
    await send(cluster, topic, 3);
    await arrived;
    stream.cancel();
    expect(seen).toEqual([false, true]);
  });

  it('fails with UNAVAILABLE on unknown lag, NOT_FOUND for an unknown group, INVALID_ARGUMENT without metadata', async () => {
    groups.set('down', consumerGroup('down', 'g', 'gone'));
    expect(await codeOf(call('IsActive', ref('down')))).toBe('UNAVAILABLE');
    expect(await codeOf(call('GetMetrics', { scaledObjectRef: ref('down'), metricName: 'm' }))).toBe('UNAVAILABLE');
    expect(await codeOf(call('GetMetricSpec', ref('nope')))).toBe('NOT_FOUND');
    expect(await codeOf(call('IsActive', ref(undefined)))).toBe('INVALID_ARGUMENT');
  });
});
