import type { V1ConfigMap, V1Pod, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/runtime/kube-object.js';
import {
  BROKER_CLUSTERS,
  CONFIG_MAPS,
  EVENTS,
  PDBS,
  PODS,
  SECRETS,
  SERVICES,
  STATEFULSETS,
} from '../src/runtime/resources.js';
import { brokerCluster, condition, eventually, getCluster, type Harness, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const ready = async (name: string) =>
  eventually(
    () => getCluster(h, name),
    (cr) => condition(cr, 'Ready')?.status === 'True' && cr?.status?.observedGeneration === cr?.metadata.generation,
    15_000,
    `${name} Ready`,
  );

describe('BrokerCluster reconciler (real operator entry point against the in-test API server)', () => {
  it('creates the StatefulSets, Services, ConfigMap, PDBs and admin Secret of a cluster, owned by it, and reports Ready with observedGeneration', async () => {
    await h.startOperator();
    const created = await h.client.create(
      BROKER_CLUSTERS,
      brokerCluster(h.namespace, 'prod', { brokers: { groups: 2, config: { retentionHours: 24 } } }),
    );
    const cr = await ready('prod');
    const uid = created.metadata.uid;
    const names = async (rt: typeof STATEFULSETS) =>
      (await h.client.list<KubeObject>(rt, h.namespace)).items.map((o) => o.metadata?.name).sort();
    expect(await names(STATEFULSETS)).toEqual(['prod-broker-0', 'prod-broker-1', 'prod-namesrv']);
    expect(await names(SERVICES)).toEqual(['prod-broker-0', 'prod-broker-1', 'prod-brokers', 'prod-namesrv']);
    expect(await names(PDBS)).toEqual(['prod-broker-0', 'prod-broker-1', 'prod-namesrv']);
    expect(await names(CONFIG_MAPS)).toContain('prod-broker-config');
    for (const rt of [STATEFULSETS, SERVICES, PDBS, CONFIG_MAPS, SECRETS]) {
      for (const obj of (await h.client.list<KubeObject>(rt, h.namespace)).items) {
        if (rt === CONFIG_MAPS && obj.metadata?.name === 'kube-root-ca.crt') continue;
        expect(obj.metadata?.ownerReferences, `${rt.kind} ${obj.metadata?.name}`).toEqual([
          expect.objectContaining({ kind: 'BrokerCluster', name: 'prod', uid, controller: true }),
        ]);
      }
    }
    const config = await h.client.get<V1ConfigMap & KubeObject>(CONFIG_MAPS, h.namespace, 'prod-broker-config');
    expect(config?.data?.ROCKETRY_RETENTION_HOURS).toBe('24');
    const secret = await h.client.get<V1Secret & KubeObject>(SECRETS, h.namespace, 'prod-admin');
    const token = Buffer.from(secret?.data?.token ?? '', 'base64').toString();
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(h.brokers.tokens).toEqual(new Set([token]));

    expect(cr?.status?.observedGeneration).toBe(1);
    expect(cr?.status?.readyGroups).toBe(2);
    expect(Object.fromEntries((cr?.status?.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]))).toEqual({
      Ready: 'True/Reconciled',
      Available: 'True/AllGroupsServing',
      Progressing: 'False/RolloutComplete',
      Degraded: 'False/AsExpected',
    });
    expect(cr?.status?.endpoints?.nameServer).toBe(`prod-namesrv-0.prod-namesrv.${h.namespace}.svc.cluster.local:9876`);
    expect(cr?.status?.groups?.map((g) => [g.name, g.phase, g.ready, g.writable])).toEqual([
      ['prod-broker-0', 'Running', true, true],
      ['prod-broker-1', 'Running', true, true],
    ]);
    const events = (await h.client.list<KubeObject & { reason?: string }>(EVENTS, h.namespace)).items;
    expect(events.map((e) => e.reason)).toContain('AdminSecretCreated');
  });

  it('a broker config change updates the ConfigMap and StatefulSets and restarts pods one at a time, each after the previous is ready', async () => {
    await h.startOperator();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'roll', { brokers: { groups: 2 } }));
    await ready('roll');
    const before = new Map(
      (await h.client.list<V1Pod & KubeObject>(PODS, h.namespace)).items.map((p) => [
        p.metadata?.name,
        p.metadata?.uid,
      ]),
    );
    const stsBefore = await h.client.get<V1StatefulSet & KubeObject>(STATEFULSETS, h.namespace, 'roll-broker-0');
    const hashBefore = stsBefore?.spec?.template.metadata?.annotations?.['rocketry.io/config-hash'];
    const deletesBefore = h.kube.writes({ resource: 'pods', namespace: h.namespace }).length;

    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'roll', {
      spec: { brokers: { config: { flush: 'sync' } } },
    });
    const cr = await ready('roll');
    expect(cr?.status?.observedGeneration).toBe(2);

    const config = await h.client.get<V1ConfigMap & KubeObject>(CONFIG_MAPS, h.namespace, 'roll-broker-config');
    expect(config?.data?.ROCKETRY_FLUSH).toBe('sync');
    const sts = await h.client.get<V1StatefulSet & KubeObject>(STATEFULSETS, h.namespace, 'roll-broker-0');
    expect(sts?.spec?.template.metadata?.annotations?.['rocketry.io/config-hash']).not.toBe(hashBefore);

    // Every broker pod was replaced (the name server's template did not change, so it was not).
    const after = (await h.client.list<V1Pod & KubeObject>(PODS, h.namespace)).items;
    for (const p of after) {
      const changed = before.get(p.metadata?.name) !== p.metadata?.uid;
      expect(changed, p.metadata?.name).toBe(p.metadata?.name?.startsWith('roll-broker-'));
    }
    // One at a time: the operator's pod deletes are interleaved with the replacement becoming ready.
    const deletes = h.kube
      .writes({ resource: 'pods', namespace: h.namespace })
      .slice(deletesBefore)
      .filter((w) => w.verb === 'delete');
    expect(deletes.map((d) => d.name)).toEqual(['roll-broker-0-0', 'roll-broker-1-0']);
    const readyWrites = h.kube
      .writes({ resource: 'pods', namespace: h.namespace, subresource: 'status' })
      .filter((w) => w.at > (deletes[0]?.at ?? 0));
    const firstReplacementReady = readyWrites.find((w) => w.name === 'roll-broker-0-0' && w.at > (deletes[0]?.at ?? 0));
    expect(firstReplacementReady).toBeDefined();
    expect(deletes[1]?.at ?? 0).toBeGreaterThanOrEqual(firstReplacementReady?.at ?? Number.POSITIVE_INFINITY);
  });
});
