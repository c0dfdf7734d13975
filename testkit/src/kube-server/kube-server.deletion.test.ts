import { PatchStrategy, setHeaderOptions, type V1OwnerReference } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clients, eventually, startWithClients, statusOf, suffix, topicCrd } from './test-support.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('KubeServer deletion: finalizers, garbage collection, namespaces', () => {
  let c: Clients;
  let ns: string;
  beforeEach(async () => {
    c = await startWithClients();
    ns = `t-${suffix()}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
  });
  afterEach(() => c.server.stop());

  const exists = async (name: string) => {
    try {
      await c.core.readNamespacedConfigMap({ namespace: ns, name });
      return true;
    } catch {
      return false;
    }
  };
  const ownerRef = (o: { metadata?: { name?: string; uid?: string } }, extra: Partial<V1OwnerReference> = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: o.metadata!.name!,
    uid: o.metadata!.uid!,
    ...extra,
  });

  it('keeps an object with finalizers, marked with deletionTimestamp, until an update removes the last one', async () => {
    await c.extensions.createCustomResourceDefinition({ body: topicCrd() });
    const ref = { group: 'rocketry.io', version: 'v1alpha1', namespace: ns, plural: 'topics' };
    await c.custom.createNamespacedCustomObject({
      ...ref,
      body: {
        apiVersion: 'rocketry.io/v1alpha1',
        kind: 'Topic',
        metadata: { name: 't', finalizers: ['rocketry.io/cleanup'] },
        spec: {},
      },
    });
    const answer = await c.custom.deleteNamespacedCustomObject({ ...ref, name: 't' });
    expect(answer.metadata.deletionTimestamp).toBeDefined();
    const marked = await c.custom.getNamespacedCustomObject({ ...ref, name: 't' });
    expect(marked.metadata).toMatchObject({
      deletionGracePeriodSeconds: 0,
      generation: 2,
      finalizers: ['rocketry.io/cleanup'],
    });
    const again = await c.custom.deleteNamespacedCustomObject({ ...ref, name: 't' });
    expect(again.metadata.resourceVersion).toBe(marked.metadata.resourceVersion);

    const addFinalizer = c.custom.patchNamespacedCustomObject(
      { ...ref, name: 't', body: { metadata: { finalizers: ['rocketry.io/cleanup', 'other/x'] } } },
      merge,
    );
    expect(await statusOf(addFinalizer)).toMatchObject({ code: 422, reason: 'Invalid' });

    await c.custom.patchNamespacedCustomObject({ ...ref, name: 't', body: { metadata: { finalizers: null } } }, merge);
    expect((await statusOf(c.custom.getNamespacedCustomObject({ ...ref, name: 't' }))).code).toBe(404);
    const types = c.server
      .events()
      .filter((e) => e.object.metadata.name === 't')
      .map((e) => e.type);
    expect(types).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('checks delete preconditions on uid and resourceVersion', async () => {
    const cm = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'a' } } });
    const wrongUid = c.core.deleteNamespacedConfigMap({
      namespace: ns,
      name: 'a',
      body: { preconditions: { uid: 'other' } },
    });
    expect((await statusOf(wrongUid)).code).toBe(409);
    await c.core.deleteNamespacedConfigMap({
      namespace: ns,
      name: 'a',
      body: { preconditions: { uid: cm.metadata!.uid!, resourceVersion: cm.metadata!.resourceVersion! } },
    });
    expect(await exists('a')).toBe(false);
  });

  it('garbage-collects dependents in the background when their owner is deleted', async () => {
    const owner = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'owner' } } });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'child', ownerReferences: [ownerRef(owner, { controller: true })] } },
    });
    const child = await c.core.readNamespacedConfigMap({ namespace: ns, name: 'child' });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'grandchild', ownerReferences: [ownerRef(child)] } },
    });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'owner' });
    await eventually(async () => (!(await exists('child')) && !(await exists('grandchild')) ? true : undefined));
  });

  it('collects an object created with an owner uid that does not exist, and keeps one with a live owner', async () => {
    const live = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'live' } } });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: {
          name: 'mixed',
          ownerReferences: [ownerRef(live), ownerRef({ metadata: { name: 'gone', uid: 'gone-uid' } })],
        },
      },
    });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: { name: 'dangling', ownerReferences: [ownerRef({ metadata: { name: 'gone', uid: 'gone-uid' } })] },
      },
    });
    await eventually(async () => (!(await exists('dangling')) ? true : undefined));
    const mixed = await c.core.readNamespacedConfigMap({ namespace: ns, name: 'mixed' });
    expect(mixed.metadata?.ownerReferences?.map((r) => r.name)).toEqual(['live']);
  });

  it('orphans dependents with propagationPolicy Orphan, then deletes the owner', async () => {
    const owner = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'owner' } } });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'child', ownerReferences: [ownerRef(owner)] } },
    });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'owner', propagationPolicy: 'Orphan' });
    await eventually(async () => (!(await exists('owner')) ? true : undefined));
    const child = await c.core.readNamespacedConfigMap({ namespace: ns, name: 'child' });
    expect(child.metadata?.ownerReferences).toBeUndefined();
  });

  it('deletes blocking dependents first with propagationPolicy Foreground', async () => {
    const owner = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'owner' } } });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: {
          name: 'child',
          finalizers: ['test/hold'],
          ownerReferences: [ownerRef(owner, { blockOwnerDeletion: true })],
        },
      },
    });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'owner', propagationPolicy: 'Foreground' });
    const held = await c.core.readNamespacedConfigMap({ namespace: ns, name: 'owner' });
    expect(held.metadata?.finalizers).toEqual(['foregroundDeletion']);
    const child = await eventually(async () => {
      const o = await c.core.readNamespacedConfigMap({ namespace: ns, name: 'child' });
      return o.metadata?.deletionTimestamp ? o : undefined;
    });
    expect(child.metadata?.name).toBe('child');
    expect(await exists('owner')).toBe(true);
    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'child', body: { metadata: { finalizers: null } } },
      merge,
    );
    await eventually(async () => (!(await exists('owner')) ? true : undefined));
  });

  it('terminates a namespace: contents are deleted, new content is refused, then the namespace goes', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'held', finalizers: ['test/hold'] } },
    });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'plain' } } });
    const answer = await c.core.deleteNamespace({ name: ns });
    expect(answer).toBeDefined();
    const terminating = await c.core.readNamespace({ name: ns });
    expect(terminating.status?.phase).toBe('Terminating');
    expect(terminating.metadata?.deletionTimestamp).toBeDefined();
    await eventually(async () => (!(await exists('plain')) ? true : undefined));
    expect(
      (await statusOf(c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'new' } } }))).code,
    ).toBe(403);
    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'held', body: { metadata: { finalizers: null } } },
      merge,
    );
    await eventually(async () => {
      try {
        await c.core.readNamespace({ name: ns });
        return undefined;
      } catch {
        return true;
      }
    });
  });

  it('deletes a pod bound to a node gracefully: it stays Terminating until deleted with grace period 0', async () => {
    const pod = (name: string, nodeName?: string) => ({
      metadata: { name },
      spec: {
        ...(nodeName ? { nodeName } : {}),
        terminationGracePeriodSeconds: 20,
        containers: [{ name: 'c', image: 'x:1' }],
      },
    });
    await c.core.createNamespacedPod({ namespace: ns, body: pod('unbound') });
    await c.core.deleteNamespacedPod({ namespace: ns, name: 'unbound' });
    expect((await statusOf(c.core.readNamespacedPod({ namespace: ns, name: 'unbound' }))).code).toBe(404);

    await c.core.createNamespacedPod({ namespace: ns, body: pod('bound', 'node-1') });
    const before = Date.now();
    await c.core.deleteNamespacedPod({ namespace: ns, name: 'bound' });
    const terminating = await c.core.readNamespacedPod({ namespace: ns, name: 'bound' });
    expect(terminating.metadata?.deletionGracePeriodSeconds).toBe(20);
    expect(terminating.metadata!.deletionTimestamp!.getTime()).toBeGreaterThanOrEqual(before + 18_000);
    await c.core.patchNamespacedPodStatus(
      { namespace: ns, name: 'bound', body: { status: { phase: 'Running' } } },
      merge,
    );
    await c.core.deleteNamespacedPod({ namespace: ns, name: 'bound', gracePeriodSeconds: 0 });
    expect((await statusOf(c.core.readNamespacedPod({ namespace: ns, name: 'bound' }))).code).toBe(404);
  });
});
