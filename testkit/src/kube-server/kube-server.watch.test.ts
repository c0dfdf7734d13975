import {
  ADD,
  DELETE,
  type KubernetesObject,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  UPDATE,
  type V1ConfigMap,
  Watch,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-object.js';
import { type Clients, eventually, startWithClients, suffix, topicCrd } from './test-support.js';

interface Seen {
  type: string;
  object: KubeObject;
}

function watch(c: Clients, path: string, query: Record<string, string | number | boolean> = {}) {
  const events: Seen[] = [];
  const state: { done: boolean; err: unknown } = { done: false, err: undefined };
  const controller = new Watch(c.kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object: object as KubeObject }),
    (err) => {
      state.done = true;
      state.err = err;
    },
  );
  return { events, state, stop: async () => (await controller).abort() };
}

const names = (events: Seen[]) => events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}`);

describe('KubeServer watches', () => {
  let c: Clients;
  let ns: string;
  let path: string;
  beforeEach(async () => {
    c = await startWithClients({ bookmarkIntervalMs: 100 });
    ns = `t-${suffix()}`;
    path = `/api/v1/namespaces/${ns}/configmaps`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
  });
  afterEach(() => c.server.stop());

  const create = (name: string, labels: Record<string, string> = {}) =>
    c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels } } });

  it('starts without a resourceVersion with synthetic ADDED events for what exists, then streams changes', async () => {
    await create('a');
    const w = watch(c, path);
    await eventually(() => (w.events.length === 1 ? true : undefined));
    const b = await create('b');
    await c.core.patchNamespacedConfigMap({
      namespace: ns,
      name: 'b',
      body: [{ op: 'add', path: '/data', value: { k: 'v' } }],
    });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'a' });
    await eventually(() => (w.events.length === 4 ? true : undefined));
    expect(names(w.events)).toEqual(['ADDED a', 'ADDED b', 'MODIFIED b', 'DELETED a']);
    expect(w.events[1]?.object).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs[1]).toBe(Number(b.metadata?.resourceVersion));
    expect(rvs[3]).toBeGreaterThan(rvs[2]!);
    await w.stop();
  });

  it('treats resourceVersion "0" like an absent one', async () => {
    await create('a');
    const w = watch(c, path, { resourceVersion: '0' });
    await eventually(() => (w.events.length === 1 ? true : undefined));
    expect(names(w.events)).toEqual(['ADDED a']);
    await w.stop();
  });

  it('resumes after a given resourceVersion from the event history', async () => {
    const a = await create('a');
    await create('b');
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'a' });
    const w = watch(c, path, { resourceVersion: a.metadata!.resourceVersion! });
    await eventually(() => (w.events.length === 2 ? true : undefined));
    expect(names(w.events)).toEqual(['ADDED b', 'DELETED a']);
    await w.stop();
  });

  it('answers a resourceVersion older than the history with an ERROR event carrying 410 Expired, then ends', async () => {
    const a = await create('a');
    await create('b');
    c.server.compactHistory();
    const w = watch(c, path, { resourceVersion: a.metadata!.resourceVersion! });
    await eventually(() => (w.state.done ? true : undefined));
    expect(w.events).toHaveLength(1);
    expect(w.events[0]?.type).toBe('ERROR');
    expect(w.events[0]?.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(String((w.events[0]?.object as { message?: string } | undefined)?.message)).toMatch(
      /^too old resource version/,
    );
  });

  it('expires watches that fall behind a bounded history', async () => {
    const small = await startWithClients({ historySize: 3 });
    try {
      await small.core.createNamespace({ body: { metadata: { name: ns } } });
      const first = await small.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x0' } } });
      for (let i = 1; i < 10; i++) {
        await small.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `x${i}` } } });
      }
      const w = watch(small, path, { resourceVersion: first.metadata!.resourceVersion! });
      await eventually(() => (w.state.done ? true : undefined));
      expect(w.events[0]?.object).toMatchObject({ code: 410 });
    } finally {
      await small.server.stop();
    }
  });

  it('turns label changes into ADDED and DELETED for a selector watch and filters by field selector', async () => {
    await create('a');
    const w = watch(c, path, {
      labelSelector: 'app=x',
      resourceVersion: String(c.server.store.currentResourceVersion),
    });
    const byName = watch(c, path, { fieldSelector: 'metadata.name=a', resourceVersion: '' });
    await eventually(() => (c.server.openWatches === 2 ? true : undefined));
    await c.core.patchNamespacedConfigMap({
      namespace: ns,
      name: 'a',
      // `a` has no labels: the server omits an empty map, as the apiserver does, so add the whole map.
      body: [{ op: 'add', path: '/metadata/labels', value: { app: 'x' } }],
    });
    await create('b', { app: 'x' });
    await c.core.patchNamespacedConfigMap({
      namespace: ns,
      name: 'a',
      body: [{ op: 'remove', path: '/metadata/labels/app' }],
    });
    await eventually(() => (w.events.length === 3 ? true : undefined));
    expect(names(w.events)).toEqual(['ADDED a', 'ADDED b', 'DELETED a']);
    expect(w.events[2]?.object.metadata.labels).toEqual({ app: 'x' });
    await eventually(() => (byName.events.length === 3 ? true : undefined));
    expect(names(byName.events)).toEqual(['ADDED a', 'MODIFIED a', 'MODIFIED a']);
    await w.stop();
    await byName.stop();
  });

  it('ends a watch after timeoutSeconds, sending a BOOKMARK first when bookmarks are allowed', async () => {
    const started = Date.now();
    const w = watch(c, path, { timeoutSeconds: 1, allowWatchBookmarks: true, resourceVersion: '' });
    await eventually(() => (w.state.done ? true : undefined), 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const bookmarks = w.events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThanOrEqual(2);
    expect(bookmarks[0]?.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(bookmarks[0]?.object.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it('streams custom resources at the version the watch asks for, across namespaces', async () => {
    await c.extensions.createCustomResourceDefinition({ body: topicCrd() });
    const w = watch(c, '/apis/rocketry.io/v1alpha1/topics');
    await eventually(() => (c.server.openWatches === 1 ? true : undefined));
    const ref = { group: 'rocketry.io', version: 'v1alpha1', namespace: ns, plural: 'topics' };
    const body = { apiVersion: 'rocketry.io/v1alpha1', kind: 'Topic', metadata: { name: 't' }, spec: { queues: 1 } };
    await c.custom.createNamespacedCustomObject({ ...ref, body });
    await c.custom.patchNamespacedCustomObjectStatus(
      { ...ref, name: 't', body: { status: { ready: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(() => (w.events.length === 2 ? true : undefined));
    expect(names(w.events)).toEqual(['ADDED t', 'MODIFIED t']);
    expect(w.events[1]?.object).toMatchObject({
      apiVersion: 'rocketry.io/v1alpha1',
      kind: 'Topic',
      status: { ready: true },
    });
    await w.stop();
  });

  it('streams through the legacy /watch/ path', async () => {
    const w = watch(c, `/api/v1/watch/namespaces/${ns}/configmaps`);
    await eventually(() => (c.server.openWatches === 1 ? true : undefined));
    await create('a');
    await eventually(() => (w.events.length === 1 ? true : undefined));
    expect(names(w.events)).toEqual(['ADDED a']);
    await w.stop();
  });

  it('keeps an informer in sync, and after a 410 re-lists, dropping what was deleted meanwhile', async () => {
    await create('a');
    const listFn = () => c.core.listNamespacedConfigMap({ namespace: ns });
    const informer = makeInformer<V1ConfigMap>(c.kc, path, listFn);
    const log: string[] = [];
    informer.on(ADD, (o) => log.push(`add ${o.metadata?.name}`));
    informer.on(UPDATE, (o) => log.push(`update ${o.metadata?.name}`));
    informer.on(DELETE, (o) => log.push(`delete ${o.metadata?.name}`));
    await informer.start();
    await eventually(() => (c.server.openWatches === 1 ? true : undefined));
    const b = await create('b');
    await eventually(() => (informer.get('b', ns) ? true : undefined));

    // Changes the informer cannot see: its watch is closed, the changes are made and the history is compacted
    // before it reconnects, so its resourceVersion has expired.
    const cms = c.server.store.registry.find('', 'v1', 'configmaps')!;
    c.server.closeWatches();
    c.server.store.delete(cms, ns, 'a');
    c.server.store.create(cms, ns, { metadata: { name: 'c' } });
    c.server.compactHistory();

    await eventually(() => (informer.get('c', ns) && !informer.get('a', ns) ? true : undefined));
    expect(log).toEqual(['add a', 'add b', 'delete a', 'add c']);
    const lists = c.server.requests().filter((r) => r.verb === 'list' && r.plural === 'configmaps');
    expect(lists).toHaveLength(2);
    // list, watch, (closed) watch that gets 410, re-list, watch again
    const watches = await eventually(() => {
      const w = c.server.requests().filter((r) => r.verb === 'watch');
      return w.length >= 3 ? w : undefined;
    });
    expect(watches[1]?.query).toContain(`resourceVersion=${b.metadata?.resourceVersion}`);
    await informer.stop();
  });

  it('feeds a label-selected informer only matching objects', async () => {
    const listFn = () => c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=x' });
    const informer = makeInformer<KubernetesObject>(c.kc, path, listFn, 'app=x');
    await informer.start();
    await create('a', { app: 'x' });
    await create('b', { app: 'y' });
    await eventually(() => (informer.list(ns).length === 1 ? true : undefined));
    await create('c', { app: 'x' });
    await eventually(() => (informer.list(ns).length === 2 ? true : undefined));
    expect(informer.list(ns).map((o) => o.metadata?.name)).toEqual(['a', 'c']);
    await informer.stop();
  });
});
