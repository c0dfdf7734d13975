import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clients, startWithClients, statusOf, suffix } from './test-support.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const deployment = (name: string): V1Deployment => ({
  metadata: { name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'rocketry:1.0' }] } },
  },
});

describe('status and scale subresources of built-in workloads', () => {
  let c: Clients;
  let ns: string;
  beforeEach(async () => {
    c = await startWithClients();
    ns = `t-${suffix()}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
  });
  afterEach(() => c.server.stop());

  it('ignores status on create and on main-resource writes, and bumps generation only on spec changes', async () => {
    const created = await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: { ...deployment('d'), status: { replicas: 5 } },
    });
    expect(created.status).toBeUndefined();
    expect(created.metadata?.generation).toBe(1);
    const labelled = await c.apps.patchNamespacedDeployment(
      { namespace: ns, name: 'd', body: { metadata: { labels: { a: 'b' } }, status: { replicas: 9 } } },
      merge,
    );
    expect(labelled.metadata?.generation).toBe(1);
    expect(labelled.status).toBeUndefined();
    const scaled = await c.apps.replaceNamespacedDeployment({
      namespace: ns,
      name: 'd',
      body: { ...labelled, spec: { ...labelled.spec!, replicas: 3 } },
    });
    expect(scaled.metadata?.generation).toBe(2);
  });

  it('writes only status through /status, without moving generation', async () => {
    const created = await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('d') });
    const status = await c.apps.replaceNamespacedDeploymentStatus({
      namespace: ns,
      name: 'd',
      body: { ...created, spec: { ...created.spec!, replicas: 7 }, status: { replicas: 2, observedGeneration: 1 } },
    });
    expect(status.status).toEqual({ replicas: 2, observedGeneration: 1 });
    expect(status.spec?.replicas).toBe(2);
    expect(status.metadata?.generation).toBe(1);
    const patched = await c.apps.patchNamespacedDeploymentStatus(
      { namespace: ns, name: 'd', body: { status: { readyReplicas: 2 } } },
      merge,
    );
    expect(patched.status).toEqual({ replicas: 2, observedGeneration: 1, readyReplicas: 2 });
    const stale = c.apps.replaceNamespacedDeploymentStatus({ namespace: ns, name: 'd', body: created });
    expect((await statusOf(stale)).reason).toBe('Conflict');
  });

  it('serves an autoscaling/v1 Scale for deployments and statefulsets and writes replicas through it', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('d') });
    const scale = await c.apps.readNamespacedDeploymentScale({ namespace: ns, name: 'd' });
    expect(scale).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      spec: { replicas: 2 },
      status: { replicas: 0, selector: 'app=d' },
    });
    const replaced = await c.apps.replaceNamespacedDeploymentScale({
      namespace: ns,
      name: 'd',
      body: { ...scale, spec: { replicas: 4 } },
    });
    expect(replaced.spec?.replicas).toBe(4);
    const d = await c.apps.readNamespacedDeployment({ namespace: ns, name: 'd' });
    expect(d.spec?.replicas).toBe(4);
    expect(d.metadata?.generation).toBe(2);
    expect(
      (await statusOf(c.apps.replaceNamespacedDeploymentScale({ namespace: ns, name: 'd', body: scale }))).reason,
    ).toBe('Conflict');
    await c.apps.patchNamespacedDeploymentScale({ namespace: ns, name: 'd', body: { spec: { replicas: 1 } } }, merge);
    expect((await c.apps.readNamespacedDeployment({ namespace: ns, name: 'd' })).spec?.replicas).toBe(1);

    const sts = await c.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: { metadata: { name: 's' }, spec: { ...deployment('s').spec!, serviceName: 's' } },
    });
    expect(sts.spec?.replicas).toBe(2);
    await c.apps.patchNamespacedStatefulSetScale({ namespace: ns, name: 's', body: { spec: { replicas: 5 } } }, merge);
    expect((await c.apps.readNamespacedStatefulSetScale({ namespace: ns, name: 's' })).spec?.replicas).toBe(5);
  });

  it('applies the apiserver defaults to workloads and pod templates', async () => {
    const sts = await c.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: { metadata: { name: 's' }, spec: { ...deployment('s').spec!, serviceName: 's' } },
    });
    expect(sts.spec).toMatchObject({
      podManagementPolicy: 'OrderedReady',
      revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: { spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 } },
    });
    expect(sts.spec?.template.spec?.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
    });
    const svc = await c.core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'svc' }, spec: { clusterIP: 'None', ports: [{ name: 'grpc', port: 8081 }] } },
    });
    expect(svc.spec).toMatchObject({
      clusterIP: 'None',
      type: 'ClusterIP',
      ports: [{ protocol: 'TCP', targetPort: 8081 }],
    });
  });

  it('treats resending a rendered object without its defaulted fields as no change (same generation and resourceVersion)', async () => {
    const rendered = { metadata: { name: 's' }, spec: { ...deployment('s').spec!, serviceName: 's' } };
    const created = await c.apps.createNamespacedStatefulSet({ namespace: ns, body: rendered });
    const again = await c.apps.replaceNamespacedStatefulSet({
      namespace: ns,
      name: 's',
      body: { ...rendered, metadata: { ...rendered.metadata, resourceVersion: created.metadata?.resourceVersion } },
    });
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(again.metadata?.generation).toBe(1);
    const patched = await c.apps.patchNamespacedStatefulSet(
      { namespace: ns, name: 's', body: { spec: rendered.spec } },
      merge,
    );
    expect(patched.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('refuses changes to immutable StatefulSet fields with 422', async () => {
    const sts = await c.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: { metadata: { name: 's' }, spec: { ...deployment('s').spec!, serviceName: 's' } },
    });
    const change = c.apps.replaceNamespacedStatefulSet({
      namespace: ns,
      name: 's',
      body: { ...sts, spec: { ...sts.spec!, serviceName: 'other' } },
    });
    expect(await statusOf(change)).toMatchObject({ code: 422, reason: 'Invalid' });
  });
});
