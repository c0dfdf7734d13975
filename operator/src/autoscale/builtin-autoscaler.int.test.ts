import { randomBytes } from 'node:crypto';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Autoscaling, ConsumerGroup } from '@rocketry/crds';
import { KubeServer } from '@rocketry/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTOSCALED_BY } from './autoscaler-conflicts.js';
import { BuiltinAutoscaler, type BuiltinPollResult } from './builtin-autoscaler.js';
import type { LagReading } from './lag-reading.js';

/** The built-in mode against the in-test Kubernetes API server: replicas change only through `/scale`. */
const T0 = Date.parse('2026-11-26T12:00:00Z');
const lag = (messages: number): LagReading => ({ kind: 'known', messages });

let kube: KubeServer;
let kc: KubeConfig;
let ns: string;
let apps: AppsV1Api;

const podTemplate = (app: string) => ({
  selector: { matchLabels: { app } },
  template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'worker:1' }] } },
});

function consumerGroup(autoscaling: Partial<Autoscaling> = {}, status: ConsumerGroup['status'] = {}): ConsumerGroup {
  return {
    apiVersion: 'rocketry.io/v1alpha1',
    kind: 'ConsumerGroup',
    metadata: { name: 'orders', namespace: ns, uid: 'uid-orders', creationTimestamp: '2026-11-01T00:00:00Z' },
    spec: {
      clusterRef: { name: 'prod' },
      fifo: false,
      maxDeliveryAttempts: 17,
      retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
      deletionPolicy: 'Delete',
      autoscaling: {
        mode: 'Builtin',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'workers' },
        minReplicas: 1,
        maxReplicas: 8,
        lagPerReplica: 100,
        cooldownSeconds: 300,
        pollingSeconds: 15,
        ...autoscaling,
      },
    },
    status,
  };
}

/** The next poll sees the status the previous one returned, as the reconcile would have written it. */
const after = (cg: ConsumerGroup, result: BuiltinPollResult): ConsumerGroup => ({
  ...cg,
  status: { ...cg.status, ...result.status },
});

const replicasOf = async (name: string) =>
  (await apps.readNamespacedDeployment({ name, namespace: ns })).spec?.replicas;
const scaleWrites = () => kube.writes({ namespace: ns, subresource: 'scale' });

beforeEach(async () => {
  kube = await KubeServer.start();
  kc = new KubeConfig();
  kc.loadFromOptions(kube.kubeConfigOptions());
  apps = kc.makeApiClient(AppsV1Api);
  ns = `as-${randomBytes(3).toString('hex')}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
  await apps.createNamespacedDeployment({
    namespace: ns,
    body: { metadata: { name: 'workers' }, spec: { replicas: 1, ...podTemplate('workers') } },
  });
});

afterEach(() => kube.stop());

describe('BuiltinAutoscaler against the in-test Kubernetes API server', () => {
  it('raises Deployment replicas through /scale for a backlog, the cooldown holds the next scale-down, then no lag gives minReplicas', async () => {
    const scaler = new BuiltinAutoscaler(kc);
    let cg = consumerGroup();

    const up = await scaler.poll({ consumerGroup: cg, lag: lag(450), nowMs: T0 });
    expect(up).toMatchObject({
      decision: { action: 'scale', replicas: 5 },
      scaled: true,
      condition: { type: 'AutoscalingReady', status: 'True', reason: 'Scaling' },
      status: { lag: 450, replicas: 5, desiredReplicas: 5, lastScaleTime: '2026-11-26T12:00:00.000Z' },
      requeueAfterMs: 15_000,
    });
    expect(await replicasOf('workers')).toBe(5);
    expect(scaleWrites().map((w) => `${w.method} ${w.path}`)).toEqual([
      `PUT /apis/apps/v1/namespaces/${ns}/deployments/workers/scale`,
    ]);
    cg = after(cg, up);

    const held = await scaler.poll({ consumerGroup: cg, lag: lag(0), nowMs: T0 + 60_000 });
    expect(held).toMatchObject({
      decision: { action: 'hold', reason: 'no lag: 5 -> 1 after the cooldown (240 s left)' },
      scaled: false,
      status: { lag: 0, replicas: 5, lastScaleTime: '2026-11-26T12:00:00.000Z' },
      requeueAfterMs: 15_000,
    });
    expect(await replicasOf('workers')).toBe(5);
    expect(scaleWrites()).toHaveLength(1);
    cg = after(cg, held);

    const nearEnd = await scaler.poll({ consumerGroup: cg, lag: lag(0), nowMs: T0 + 295_000 });
    expect(nearEnd.requeueAfterMs).toBe(5_000);

    const down = await scaler.poll({ consumerGroup: cg, lag: lag(0), nowMs: T0 + 300_000 });
    expect(down).toMatchObject({ decision: { action: 'scale', replicas: 1 }, scaled: true });
    expect(await replicasOf('workers')).toBe(1);
    expect(scaleWrites()).toHaveLength(2);
  });

  it('keeps replicas and the last lag on unknown lag', async () => {
    const scaler = new BuiltinAutoscaler(kc);
    const cg = consumerGroup({}, { lag: 900, lagUpdatedAt: '2026-11-26T11:59:45.000Z' });
    const result = await scaler.poll({ consumerGroup: cg, lag: { kind: 'unknown', reason: 'broker down' }, nowMs: T0 });
    expect(result).toMatchObject({
      decision: { action: 'hold', reason: 'lag unknown (broker down)' },
      status: { lag: 900, lagUpdatedAt: '2026-11-26T11:59:45.000Z', replicas: 1 },
    });
    expect(scaleWrites()).toHaveLength(0);
  });

  it('refuses and writes nothing while an HPA scales the Deployment', async () => {
    await kc.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({
      namespace: ns,
      body: {
        metadata: { name: 'workers-cpu' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'workers' }, maxReplicas: 4 },
      },
    });
    const result = await new BuiltinAutoscaler(kc).poll({ consumerGroup: consumerGroup(), lag: lag(700), nowMs: T0 });
    expect(result).toMatchObject({
      decision: { action: 'refuse' },
      scaled: false,
      condition: {
        status: 'False',
        reason: 'ConflictingAutoscaler',
        message: 'HorizontalPodAutoscaler workers-cpu scales Deployment/workers; not scaling it as well',
      },
    });
    expect(scaleWrites()).toHaveLength(0);
  });

  it('refuses while a KEDA ScaledObject targets the Deployment, or it is annotated as autoscaled by another', async () => {
    kube.createObject(scaledObjectCrd);
    await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'keda.sh',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'scaledobjects',
      body: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'workers-kafka' },
        spec: { scaleTargetRef: { name: 'workers' }, triggers: [] },
      },
    });
    const scaler = new BuiltinAutoscaler(kc);
    expect(await scaler.poll({ consumerGroup: consumerGroup(), lag: lag(700), nowMs: T0 })).toMatchObject({
      decision: {
        action: 'refuse',
        reason: 'KEDA ScaledObject workers-kafka scales Deployment/workers; not scaling it as well',
      },
    });

    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'claimed', annotations: { [AUTOSCALED_BY]: 'ConsumerGroup/billing' } },
        spec: { replicas: 1, ...podTemplate('claimed') },
      },
    });
    const claimed = consumerGroup({ targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'claimed' } });
    expect(await scaler.poll({ consumerGroup: claimed, lag: lag(700), nowMs: T0 })).toMatchObject({
      decision: {
        action: 'refuse',
        reason: `Deployment/claimed is annotated ${AUTOSCALED_BY}=ConsumerGroup/billing; not scaling it as well`,
      },
    });
    expect(scaleWrites()).toHaveLength(0);
  });

  it('reports TargetNotFound for a workload that does not exist', async () => {
    const cg = consumerGroup({ targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'missing' } });
    expect(await new BuiltinAutoscaler(kc).poll({ consumerGroup: cg, lag: lag(10), nowMs: T0 })).toMatchObject({
      decision: { action: 'hold' },
      condition: { status: 'False', reason: 'TargetNotFound', message: `Deployment ${ns}/missing not found` },
    });
  });

  it('scales a StatefulSet, and a custom resource with a scale subresource found by discovery', async () => {
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: { metadata: { name: 'sts' }, spec: { replicas: 1, serviceName: 'sts', ...podTemplate('sts') } },
    });
    const scaler = new BuiltinAutoscaler(kc);
    const sts = consumerGroup({ targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'sts' } });
    expect(await scaler.poll({ consumerGroup: sts, lag: lag(250), nowMs: T0 })).toMatchObject({ scaled: true });
    expect((await apps.readNamespacedStatefulSet({ name: 'sts', namespace: ns })).spec?.replicas).toBe(3);

    kube.createObject(workerPoolCrd);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const path = { group: 'example.io', version: 'v1', namespace: ns, plural: 'workerpools' };
    await custom.createNamespacedCustomObject({
      ...path,
      body: { apiVersion: 'example.io/v1', kind: 'WorkerPool', metadata: { name: 'pool' }, spec: { replicas: 2 } },
    });
    const pool = consumerGroup({ targetRef: { apiVersion: 'example.io/v1', kind: 'WorkerPool', name: 'pool' } });
    expect(await scaler.poll({ consumerGroup: pool, lag: lag(610), nowMs: T0 })).toMatchObject({
      decision: { action: 'scale', replicas: 7 },
    });
    const stored = (await custom.getNamespacedCustomObject({ ...path, name: 'pool' })) as {
      spec: { replicas: number };
    };
    expect(stored.spec.replicas).toBe(7);
    expect(scaleWrites().map((w) => w.path)).toEqual([
      `/apis/apps/v1/namespaces/${ns}/statefulsets/sts/scale`,
      `/apis/example.io/v1/namespaces/${ns}/workerpools/pool/scale`,
    ]);
  });
});

const openObject = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const scaledObjectCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'scaledobjects.keda.sh' },
  spec: {
    group: 'keda.sh',
    scope: 'Namespaced',
    names: { plural: 'scaledobjects', singular: 'scaledobject', kind: 'ScaledObject', listKind: 'ScaledObjectList' },
    versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: openObject } }],
  },
};

const workerPoolCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'workerpools.example.io' },
  spec: {
    group: 'example.io',
    scope: 'Namespaced',
    names: { plural: 'workerpools', singular: 'workerpool', kind: 'WorkerPool', listKind: 'WorkerPoolList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: openObject },
        subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
      },
    ],
  },
};
