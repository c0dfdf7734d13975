import { PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clients, startWithClients, statusOf, suffix } from './test-support.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatchType = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

describe('KubeServer reads and writes through client-node', () => {
  let c: Clients;
  let ns: string;
  beforeEach(async () => {
    c = await startWithClients();
    ns = `t-${suffix()}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
  });
  afterEach(() => c.server.stop());

  const cm = (name: string, labels: Record<string, string> = {}): V1ConfigMap => ({
    metadata: { name, labels },
    data: { k: 'v' },
  });

  it('creates an object with uid, creationTimestamp and a resourceVersion, and reads it back', async () => {
    const created = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.metadata?.namespace).toBe(ns);
    const read = await c.core.readNamespacedConfigMap({ namespace: ns, name: 'a' });
    expect(read).toEqual(created);
  });

  it('increases one global resourceVersion across resources', async () => {
    const a = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') });
    const s = await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's' } } });
    const b = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('b') });
    const rvs = [a, s, b].map((o) => Number(o.metadata?.resourceVersion));
    expect(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!).toBe(true);
  });

  it('answers a missing object with a 404 NotFound Status and a duplicate create with 409 AlreadyExists', async () => {
    expect(await statusOf(c.core.readNamespacedConfigMap({ namespace: ns, name: 'nope' }))).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'configmaps "nope" not found',
      details: { name: 'nope', kind: 'configmaps' },
    });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') });
    expect(await statusOf(c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') }))).toMatchObject({
      reason: 'AlreadyExists',
      code: 409,
    });
    expect(await statusOf(c.apps.readNamespacedDeployment({ namespace: ns, name: 'nope' }))).toMatchObject({
      message: 'deployments.apps "nope" not found',
      details: { group: 'apps', kind: 'deployments' },
    });
  });

  it('generates a name from generateName', async () => {
    const created = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(created.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('refuses creates in a namespace that does not exist (404) or with a resourceVersion (400), and invalid names (422)', async () => {
    expect(await statusOf(c.core.createNamespacedConfigMap({ namespace: 'missing', body: cm('a') }))).toMatchObject({
      code: 404,
      message: 'namespaces "missing" not found',
    });
    const withRv = { ...cm('a'), metadata: { name: 'a', resourceVersion: '5' } };
    expect((await statusOf(c.core.createNamespacedConfigMap({ namespace: ns, body: withRv }))).code).toBe(400);
    expect(await statusOf(c.core.createNamespacedConfigMap({ namespace: ns, body: cm('Bad_Name') }))).toMatchObject({
      code: 422,
      reason: 'Invalid',
    });
  });

  it('lists with kind XList, the list resourceVersion, items without apiVersion/kind, ordered by name', async () => {
    for (const name of ['c', 'a', 'b']) await c.core.createNamespacedConfigMap({ namespace: ns, body: cm(name) });
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    expect(list.kind).toBe('ConfigMapList');
    expect(list.apiVersion).toBe('v1');
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(list.items[0]?.kind).toBeUndefined();
    expect(list.metadata?.resourceVersion).toBe(String(c.server.store.currentResourceVersion));
  });

  it('filters lists by label selector (=, !=, in, notin, exists) and by metadata.name / metadata.namespace', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a', { app: 'broker', tier: 'x' }) });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('b', { app: 'namesrv' }) });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('c') });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector, fieldSelector })).items.map(
        (i) => i.metadata?.name,
      );
    expect(await names('app=broker')).toEqual(['a']);
    expect(await names('app!=broker')).toEqual(['b', 'c']);
    expect(await names('app in (broker,namesrv)')).toEqual(['a', 'b']);
    expect(await names('app notin (broker)')).toEqual(['b', 'c']);
    expect(await names('tier')).toEqual(['a']);
    expect(await names('!app')).toEqual(['c']);
    expect(await names(undefined, 'metadata.name=b')).toEqual(['b']);
    const all = await c.core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.namespace=${ns}` });
    expect(all.items.map((i) => i.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect((await statusOf(c.core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'data.k=v' }))).code).toBe(
      400,
    );
  });

  it('pages a list with limit and continue', async () => {
    for (const name of ['a', 'b', 'c']) await c.core.createNamespacedConfigMap({ namespace: ns, body: cm(name) });
    const first = await c.core.listNamespacedConfigMap({ namespace: ns, limit: 2 });
    expect(first.items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const rest = await c.core.listNamespacedConfigMap({
      namespace: ns,
      limit: 2,
      _continue: first.metadata?._continue,
    });
    expect(rest.items.map((i) => i.metadata?.name)).toEqual(['c']);
    expect(rest.metadata?._continue).toBeUndefined();
  });

  it('refuses a replace with a stale resourceVersion with 409 Conflict and accepts the current one', async () => {
    const created = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') });
    const updated = await c.core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'a',
      body: { ...created, data: { k: 'v2' } },
    });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    expect(
      await statusOf(
        c.core.replaceNamespacedConfigMap({ namespace: ns, name: 'a', body: { ...created, data: { k: 'v3' } } }),
      ),
    ).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect((await c.core.readNamespacedConfigMap({ namespace: ns, name: 'a' })).data).toEqual({ k: 'v2' });
  });

  it('allows an unconditional replace of a built-in kind and a replace that changes nothing keeps the resourceVersion', async () => {
    const created = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') });
    const same = await c.core.replaceNamespacedConfigMap({ namespace: ns, name: 'a', body: created });
    expect(same.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const unconditional = await c.core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'a',
      body: { metadata: { name: 'a' }, data: { k: 'new' } },
    });
    expect(unconditional.data).toEqual({ k: 'new' });
    expect(unconditional.metadata?.uid).toBe(created.metadata?.uid);
    expect(
      (await statusOf(c.core.replaceNamespacedConfigMap({ namespace: ns, name: 'other', body: cm('a') }))).code,
    ).toBe(400);
    expect((await statusOf(c.core.replaceNamespacedConfigMap({ namespace: ns, name: 'b', body: cm('b') }))).code).toBe(
      404,
    );
  });

  it('merge-patches (RFC 7386), with a resourceVersion in the patch acting as a precondition', async () => {
    const created = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { ...cm('a', { x: '1' }), data: { k: 'v', d: 'x' } },
    });
    const patched = await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'a', body: { metadata: { labels: { y: '2' } }, data: { d: null, n: 'new' } } },
      merge,
    );
    expect(patched.metadata?.labels).toEqual({ x: '1', y: '2' });
    expect(patched.data).toEqual({ k: 'v', n: 'new' });
    const stale = c.core.patchNamespacedConfigMap(
      {
        namespace: ns,
        name: 'a',
        body: { metadata: { resourceVersion: created.metadata?.resourceVersion }, data: { k: 'z' } },
      },
      merge,
    );
    expect((await statusOf(stale)).reason).toBe('Conflict');
    expect((await statusOf(c.core.patchNamespacedConfigMap({ namespace: ns, name: 'b', body: {} }, merge))).code).toBe(
      404,
    );
  });

  it('applies JSON patches, and refuses an object sent as a JSON patch (client-node default content type) with 400', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') });
    const patched = await c.core.patchNamespacedConfigMap(
      {
        namespace: ns,
        name: 'a',
        body: [
          { op: 'test', path: '/data/k', value: 'v' },
          { op: 'add', path: '/data/x', value: 'y' },
        ],
      },
      jsonPatchType,
    );
    expect(patched.data).toEqual({ k: 'v', x: 'y' });
    const failedTest = c.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'a', body: [{ op: 'test', path: '/data/k', value: 'other' }] },
      jsonPatchType,
    );
    expect((await statusOf(failedTest)).code).toBe(422);
    expect(
      (await statusOf(c.core.patchNamespacedConfigMap({ namespace: ns, name: 'a', body: { data: {} } }))).code,
    ).toBe(400);
  });

  it('treats a strategic merge patch of a built-in kind as a merge patch and refuses server-side apply with 415', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') });
    const patched = await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'a', body: { data: { s: 't' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(patched.data).toEqual({ k: 'v', s: 't' });
    const apply = c.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'a', body: { data: { s: 't' } }, fieldManager: 'test' },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(await statusOf(apply)).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
  });

  it('refuses a body of another kind or API version with 400', async () => {
    const wrongKind = c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { kind: 'Secret', metadata: { name: 'a' } },
    });
    expect(await statusOf(wrongKind)).toMatchObject({ code: 400, reason: 'BadRequest' });
    const wrongVersion = c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { apiVersion: 'v2', metadata: { name: 'a' } },
    });
    expect((await statusOf(wrongVersion)).code).toBe(400);
  });

  it('folds Secret stringData into base64 data', async () => {
    const secret = await c.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 's' }, stringData: { token: 'abc' } },
    });
    expect(secret.data).toEqual({ token: Buffer.from('abc').toString('base64') });
    expect(secret.stringData).toBeUndefined();
    expect(secret.type).toBe('Opaque');
  });

  it('deletes an object without finalizers at once, answering with a Success Status', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') });
    const status = await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'a' });
    expect(status).toMatchObject({ status: 'Success', details: { name: 'a', kind: 'configmaps' } });
    expect((await statusOf(c.core.readNamespacedConfigMap({ namespace: ns, name: 'a' }))).code).toBe(404);
    expect((await statusOf(c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'a' }))).code).toBe(404);
  });

  it('deletes a collection by label selector', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a', { app: 'x' }) });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('b', { app: 'y' }) });
    await c.core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: 'app=x' });
    expect((await c.core.listNamespacedConfigMap({ namespace: ns })).items.map((i) => i.metadata?.name)).toEqual(['b']);
  });

  it('does not persist dryRun writes', async () => {
    const dry = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('a'), dryRun: 'All' });
    expect(dry.metadata?.name).toBe('a');
    expect((await statusOf(c.core.readNamespacedConfigMap({ namespace: ns, name: 'a' }))).code).toBe(404);
  });
});
