import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiException,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Lease,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../temp-dir.js';
import { type Clients, startWithClients, statusOf, suffix } from './test-support.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('KubeServer test hooks and client configuration', () => {
  let c: Clients;
  let ns: string;
  beforeEach(async () => {
    c = await startWithClients();
    ns = `t-${suffix()}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
  });
  afterEach(() => c.server.stop());

  const cm = (name: string) => c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name } } });

  it('answers 503 ServiceUnavailable during an outage, closing open watches, and recovers', async () => {
    await cm('a');
    await c.server.faults.startOutage('unavailable');
    expect(await statusOf(c.core.readNamespacedConfigMap({ namespace: ns, name: 'a' }))).toMatchObject({
      code: 503,
      reason: 'ServiceUnavailable',
    });
    await c.server.faults.endOutage();
    expect((await c.core.readNamespacedConfigMap({ namespace: ns, name: 'a' })).metadata?.name).toBe('a');
  });

  it('refuses connections during a refused outage and serves again on the same address', async () => {
    await c.server.faults.startOutage('refused');
    const err = await c.core.listNamespacedConfigMap({ namespace: ns }).catch((e: unknown) => e);
    expect(String((err as { code?: string }).code ?? err)).toMatch(/ECONNREFUSED/);
    await c.server.faults.endOutage();
    expect((await c.core.listNamespacedConfigMap({ namespace: ns })).items).toEqual([]);
    await c.server.faults.outageFor(50);
    expect((await c.core.listNamespacedConfigMap({ namespace: ns })).items).toEqual([]);
  });

  it('injects 409 conflicts on the next N writes of a resource, leaving other writes alone', async () => {
    await cm('a');
    c.server.faults.injectConflicts(2, { resource: 'configmaps', name: 'a' });
    const patch = () =>
      c.core.patchNamespacedConfigMap({ namespace: ns, name: 'a', body: { data: { k: 'v' } } }, merge);
    await cm('b');
    expect((await c.core.readNamespacedConfigMap({ namespace: ns, name: 'a' })).metadata?.name).toBe('a');
    expect((await statusOf(patch())).reason).toBe('Conflict');
    expect((await statusOf(patch())).reason).toBe('Conflict');
    expect((await patch()).data).toEqual({ k: 'v' });
  });

  it('fails the next requests with any status', async () => {
    c.server.faults.failNext(1, { verbs: ['list'] }, { code: 500, reason: 'InternalError', message: 'boom' });
    expect((await statusOf(c.core.listNamespacedConfigMap({ namespace: ns }))).message).toBe('boom');
    expect((await c.core.listNamespacedConfigMap({ namespace: ns })).items).toEqual([]);
  });

  it('counts applied writes per object and keeps a log of every request', async () => {
    await cm('a');
    await cm('b');
    await c.core.patchNamespacedConfigMap({ namespace: ns, name: 'a', body: { data: { k: 'v' } } }, merge);
    c.server.faults.injectConflicts(1, { name: 'b' });
    await statusOf(c.core.patchNamespacedConfigMap({ namespace: ns, name: 'b', body: { data: { k: 'v' } } }, merge));
    expect(c.server.writeCounts({ resource: 'configmaps', namespace: ns })).toEqual(
      new Map([
        [`${ns}/a`, 2],
        [`${ns}/b`, 1],
      ]),
    );
    expect(c.server.writes({ resource: 'configmaps', name: 'b', includeFailed: true })).toHaveLength(2);
    const log = c.server.requests().filter((r) => r.plural === 'configmaps');
    expect(log.map((r) => `${r.verb} ${r.code}`)).toEqual(['create 201', 'create 201', 'patch 200', 'patch 409']);
  });

  it('records the watch history for tests to read', async () => {
    await cm('a');
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'a' });
    const mine = c.server.events().filter((e) => e.object.metadata.namespace === ns);
    expect(mine.map((e) => `${e.type} ${e.resource} ${e.object.metadata.name}`)).toEqual([
      'ADDED /configmaps a',
      'DELETED /configmaps a',
    ]);
  });

  it('writes a kubeconfig file that client-node loads, and builds a KubeConfig directly', async () => {
    const dir = await tempDir();
    try {
      const path = await c.server.writeKubeconfig(join(dir.path, 'kubeconfig'));
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      expect(kc.getCurrentCluster()?.server).toBe(c.server.url);
      const fromFile = kc.makeApiClient((await import('@kubernetes/client-node')).CoreV1Api);
      expect((await fromFile.readNamespace({ name: ns })).metadata?.name).toBe(ns);
      const defaultPath = await c.server.writeKubeconfig();
      expect(readFileSync(defaultPath, 'utf8')).toContain(c.server.url);
      const direct = await c.server.kubeConfig();
      expect(direct.getCurrentContext()).toBe('rocketry-test');
    } finally {
      await dir.remove();
    }
  });

  it('serves Leases for leader election with optimistic concurrency', async () => {
    const lease: V1Lease = {
      metadata: { name: 'rocketry-operator' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: new Date(), renewTime: new Date() },
    };
    const created = await c.coordination.createNamespacedLease({ namespace: ns, body: lease });
    const renewed = await c.coordination.replaceNamespacedLease({
      namespace: ns,
      name: 'rocketry-operator',
      body: { ...created, spec: { ...created.spec, renewTime: new Date() } },
    });
    expect(renewed.spec?.holderIdentity).toBe('a');
    const takeover = c.coordination.replaceNamespacedLease({
      namespace: ns,
      name: 'rocketry-operator',
      body: { ...created, spec: { ...created.spec, holderIdentity: 'b' } },
    });
    const err = await takeover.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<string>).code).toBe(409);
  });

  it('answers discovery, so KubernetesObjectApi can resolve kinds to resources', async () => {
    const objects = KubernetesObjectApi.makeApiClient(c.kc);
    await objects.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: ns },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
      },
    } as never);
    const read = await objects.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: ns },
    });
    expect(read.metadata?.uid).toBeDefined();
  });
});
