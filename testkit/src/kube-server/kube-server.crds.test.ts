import { PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeStatusError } from './status.js';
import { type Clients, eventually, startWithClients, statusOf, suffix, topicCrd } from './test-support.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('CustomResourceDefinitions and custom resources', () => {
  let c: Clients;
  let ns: string;
  const group = 'rocketry.io';
  const topic = (name: string, spec: Record<string, unknown> = { queues: 4 }) => ({
    apiVersion: `${group}/v1alpha1`,
    kind: 'Topic',
    metadata: { name },
    spec,
  });
  const all = () => ({ group, version: 'v1alpha1', namespace: ns, plural: 'topics' });
  const ref = (name: string) => ({ ...all(), name });

  beforeEach(async () => {
    c = await startWithClients();
    ns = `t-${suffix()}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    await c.extensions.createCustomResourceDefinition({ body: topicCrd(group) });
  });
  afterEach(() => c.server.stop());

  it('marks a created CRD Established and serves its kind', async () => {
    const crd = await c.extensions.readCustomResourceDefinition({ name: `topics.${group}` });
    expect(crd.status?.conditions?.find((x) => x.type === 'Established')?.status).toBe('True');
    expect(crd.status?.acceptedNames?.kind).toBe('Topic');
    const created = await c.custom.createNamespacedCustomObject({ ...all(), body: topic('t1') });
    expect(created).toMatchObject({
      apiVersion: `${group}/v1alpha1`,
      kind: 'Topic',
      metadata: { generation: 1, namespace: ns },
    });
    const topics = await c.custom.listNamespacedCustomObject(all());
    expect(topics.kind).toBe('TopicList');
    expect(topics.items[0].kind).toBe('Topic');
  });

  it('refuses a CRD whose name is not plural.group with 422', async () => {
    const bad = { ...topicCrd('example.com'), metadata: { name: 'wrong.example.com' } };
    expect((await statusOf(c.extensions.createCustomResourceDefinition({ body: bad }))).code).toBe(422);
  });

  it('answers 404 for kinds no CRD declares', async () => {
    const missing = c.custom.listNamespacedCustomObject({
      group: 'other.io',
      version: 'v1',
      namespace: ns,
      plural: 'things',
    });
    expect((await statusOf(missing)).code).toBe(404);
  });

  it('requires a resourceVersion to replace a custom resource and refuses a stale one', async () => {
    const created = await c.custom.createNamespacedCustomObject({ ...all(), body: topic('t1') });
    const noRv = c.custom.replaceNamespacedCustomObject({ ...ref('t1'), body: topic('t1', { queues: 8 }) });
    expect((await statusOf(noRv)).code).toBe(422);
    const updated = await c.custom.replaceNamespacedCustomObject({
      ...ref('t1'),
      body: { ...created, spec: { queues: 8 } },
    });
    expect(updated.metadata.generation).toBe(2);
    const stale = c.custom.replaceNamespacedCustomObject({ ...ref('t1'), body: { ...created, spec: { queues: 16 } } });
    expect((await statusOf(stale)).reason).toBe('Conflict');
  });

  it('keeps status and spec apart through the status subresource', async () => {
    await c.custom.createNamespacedCustomObject({ ...all(), body: { ...topic('t1'), status: { phase: 'ignored' } } });
    const withStatus = await c.custom.patchNamespacedCustomObjectStatus(
      {
        ...ref('t1'),
        body: { status: { observedGeneration: 1, queues: 4, selector: 'app=t1' }, spec: { queues: 99 } },
      },
      merge,
    );
    expect(withStatus.status).toEqual({ observedGeneration: 1, queues: 4, selector: 'app=t1' });
    expect(withStatus.spec).toEqual({ queues: 4 });
    expect(withStatus.metadata.generation).toBe(1);
    const specOnly = await c.custom.patchNamespacedCustomObject(
      { ...ref('t1'), body: { spec: { queues: 8 }, status: { queues: 0 } } },
      merge,
    );
    expect(specOnly.status.queues).toBe(4);
    expect(specOnly.metadata.generation).toBe(2);
  });

  it('refuses a strategic merge patch of a custom resource with 415, as the apiserver does', async () => {
    await c.custom.createNamespacedCustomObject({ ...all(), body: topic('t1') });
    const smp = c.custom.patchNamespacedCustomObject(
      { ...ref('t1'), body: { spec: { queues: 8 } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect((await statusOf(smp)).code).toBe(415);
  });

  it('serves the scale subresource at the paths the CRD declares', async () => {
    await c.custom.createNamespacedCustomObject({ ...all(), body: topic('t1') });
    await c.custom.patchNamespacedCustomObjectStatus(
      { ...ref('t1'), body: { status: { queues: 3, selector: 'x=y' } } },
      merge,
    );
    const scale = await c.custom.getNamespacedCustomObjectScale(ref('t1'));
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 4 }, status: { replicas: 3, selector: 'x=y' } });
    await c.custom.patchNamespacedCustomObjectScale({ ...ref('t1'), body: { spec: { replicas: 6 } } }, merge);
    expect((await c.custom.getNamespacedCustomObject(ref('t1'))).spec.queues).toBe(6);
  });

  it('serves every served version of a CRD from one storage, rewriting apiVersion', async () => {
    const crd = await c.extensions.readCustomResourceDefinition({ name: `topics.${group}` });
    const v1alpha1 = crd.spec.versions[0]!;
    await c.extensions.replaceCustomResourceDefinition({
      name: `topics.${group}`,
      body: {
        ...crd,
        spec: {
          ...crd.spec,
          versions: [
            { ...v1alpha1, storage: false },
            { ...v1alpha1, name: 'v1beta1', storage: true },
          ],
        },
      },
    });
    await c.custom.createNamespacedCustomObject({ ...all(), body: topic('t1') });
    const beta = await c.custom.getNamespacedCustomObject({ ...ref('t1'), version: 'v1beta1' });
    expect(beta.apiVersion).toBe(`${group}/v1beta1`);
  });

  it('deletes the custom resources of a deleted CRD, ends their watches and stops serving the kind', async () => {
    await c.custom.createNamespacedCustomObject({ ...all(), body: topic('t1') });
    let watchEnded = false;
    await new Watch(c.kc).watch(
      `/apis/${group}/v1alpha1/topics`,
      {},
      () => {},
      () => {
        watchEnded = true;
      },
    );
    await eventually(() => (c.server.openWatches === 1 ? true : undefined));
    await c.extensions.deleteCustomResourceDefinition({ name: `topics.${group}` });
    await eventually(async () => {
      const gone = await c.extensions.readCustomResourceDefinition({ name: `topics.${group}` }).catch(() => undefined);
      return gone ? undefined : true;
    });
    expect((await statusOf(c.custom.listNamespacedCustomObject(all()))).code).toBe(404);
    expect(c.server.events().some((e) => e.type === 'DELETED' && e.object.metadata.name === 't1')).toBe(true);
    await eventually(() => (watchEnded ? true : undefined));
  });

  it('prunes fields the structural schema does not declare and applies its defaults', async () => {
    const crd = topicCrd('schema.example.com');
    const version = {
      ...crd.spec.versions[0]!,
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              properties: {
                queues: { type: 'integer', _default: 8 },
                messageType: { type: 'string', _default: 'Normal' },
              },
            },
          },
        },
      },
    };
    await c.extensions.createCustomResourceDefinition({ body: { ...crd, spec: { ...crd.spec, versions: [version] } } });
    const created = await c.custom.createNamespacedCustomObject({
      group: 'schema.example.com',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'topics',
      body: {
        apiVersion: 'schema.example.com/v1alpha1',
        kind: 'Topic',
        metadata: { name: 't' },
        spec: { queues: 2, typo: 'dropped' },
        extra: 'dropped',
      },
    });
    expect(created.spec).toEqual({ queues: 2, messageType: 'Normal' });
    expect(created.extra).toBeUndefined();
    const strict = c.custom.createNamespacedCustomObject({
      group: 'schema.example.com',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'topics',
      fieldValidation: 'Strict',
      body: { apiVersion: 'schema.example.com/v1alpha1', kind: 'Topic', metadata: { name: 'u' }, spec: { typo: 1 } },
    });
    expect((await statusOf(strict)).message).toContain('strict decoding error: unknown field "spec.typo"');
  });

  it('refuses custom resources that violate the structural schema with 422 Invalid', async () => {
    const crd = topicCrd('valid.example.com');
    const version = {
      ...crd.spec.versions[0]!,
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              required: ['queues'],
              properties: {
                queues: { type: 'integer', minimum: 1 },
                messageType: { type: 'string', _enum: ['Normal', 'FIFO'] },
              },
            },
          },
        },
      },
    };
    await c.extensions.createCustomResourceDefinition({ body: { ...crd, spec: { ...crd.spec, versions: [version] } } });
    const target = { group: 'valid.example.com', version: 'v1alpha1', namespace: ns, plural: 'topics' };
    const body = (spec: object) => ({
      apiVersion: 'valid.example.com/v1alpha1',
      kind: 'Topic',
      metadata: { name: 't' },
      spec,
    });
    const bad = await statusOf(
      c.custom.createNamespacedCustomObject({ ...target, body: body({ queues: 0, messageType: 'X' }) }),
    );
    expect(bad).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(bad.details?.causes?.map((x) => x.field)).toEqual(['spec.queues', 'spec.messageType']);
    expect(bad.message).toMatch(/^Topic\.valid\.example\.com "t" is invalid: spec\.queues: Invalid value: 0/);
    await c.custom.createNamespacedCustomObject({ ...target, body: body({ queues: 1 }) });
    const update = c.custom.patchNamespacedCustomObject(
      { ...target, name: 't', body: { spec: { queues: null } } },
      merge,
    );
    expect((await statusOf(update)).code).toBe(422);
  });

  it('uses the CRD scope for cluster-scoped kinds', async () => {
    const crd = topicCrd('cluster.example.com');
    await c.extensions.createCustomResourceDefinition({ body: { ...crd, spec: { ...crd.spec, scope: 'Cluster' } } });
    const created = await c.custom.createClusterCustomObject({
      group: 'cluster.example.com',
      version: 'v1alpha1',
      plural: 'topics',
      body: { apiVersion: 'cluster.example.com/v1alpha1', kind: 'Topic', metadata: { name: 'g' }, spec: {} },
    });
    expect(created.metadata.namespace).toBeUndefined();
  });

  it('runs an admission hook that can default and reject custom resources', async () => {
    const admitted = await startWithClients({
      admission: ({ object, type }) => {
        if (type.kind !== 'Topic') return undefined;
        const spec = (object.spec ?? {}) as { queues?: number };
        if (spec.queues !== undefined && spec.queues < 1) {
          throw new KubeStatusError(
            422,
            'Invalid',
            'Topic.rocketry.io "bad" is invalid: spec.queues: must be at least 1',
          );
        }
        return { ...object, spec: { queues: 8, ...spec } };
      },
    });
    try {
      await admitted.extensions.createCustomResourceDefinition({ body: topicCrd(group) });
      const body = (name: string, spec: object) => ({
        apiVersion: `${group}/v1alpha1`,
        kind: 'Topic',
        metadata: { name },
        spec,
      });
      const target = { group, version: 'v1alpha1', namespace: 'default', plural: 'topics' };
      const defaulted = await admitted.custom.createNamespacedCustomObject({ ...target, body: body('ok', {}) });
      expect(defaulted.spec).toEqual({ queues: 8 });
      const rejected = admitted.custom.createNamespacedCustomObject({ ...target, body: body('bad', { queues: 0 }) });
      expect(await statusOf(rejected)).toMatchObject({ code: 422, reason: 'Invalid' });
    } finally {
      await admitted.server.stop();
    }
  });

  it('installs a CRD manifest as written through createObject, keeping schema keys client-node models drop', async () => {
    c.server.createObject({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.raw.example.com' },
      spec: {
        group: 'raw.example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: { size: { type: 'integer', default: 3 } },
                    'x-kubernetes-preserve-unknown-fields': true,
                  },
                },
              },
            },
          },
        ],
      },
    });
    const target = { group: 'raw.example.com', version: 'v1', namespace: ns, plural: 'widgets' };
    const created = await c.custom.createNamespacedCustomObject({
      ...target,
      body: { apiVersion: 'raw.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { free: 'kept' } },
    });
    expect(created.spec).toEqual({ free: 'kept', size: 3 });
    const seeded = c.server.createObject({
      apiVersion: 'raw.example.com/v1',
      kind: 'Widget',
      metadata: { name: 'v', namespace: ns },
    });
    expect(seeded.metadata.uid).toBeDefined();
  });
});
