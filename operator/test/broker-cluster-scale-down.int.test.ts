import type { V1StatefulSet } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/runtime/kube-object.js';
import { BROKER_CLUSTERS, PDBS, SERVICES, STATEFULSETS } from '../src/runtime/resources.js';
import {
  brokerCluster,
  condition,
  eventually,
  getCluster,
  type Harness,
  sleep,
  startHarness,
} from './support/harness.js';

// The brokers here are FakeBrokers (in-memory BrokerAdmin, test/support/fake-broker-admin.ts): the operator addresses
// pods by their cluster DNS names, which do not resolve outside a cluster.
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const readyGen = (name: string, generation: number) =>
  eventually(
    () => getCluster(h, name),
    (cr) => condition(cr, 'Ready')?.status === 'True' && cr?.status?.observedGeneration === generation,
    15_000,
    `${name} Ready at generation ${generation}`,
  );
const exists = async (rt: typeof STATEFULSETS, name: string) =>
  (await h.client.get(rt, h.namespace, name)) !== undefined;

describe('BrokerCluster scale-down', () => {
  it('drains the leaving group first: read-only at once, removed only when no consumer group has lag on it', async () => {
    await h.startOperator();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'sd', { brokers: { groups: 2 } }));
    await readyGen('sd', 1);
    const b0 = h.brokers.group('sd-broker-0');
    const b1 = h.brokers.group('sd-broker-1');
    for (const b of [b0, b1]) b.topics.set('orders', { messageType: 'NORMAL', queues: 4 });
    await b1.putGroup('billing', {});
    b1.lag.set('billing', 7);

    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'sd', { spec: { brokers: { groups: 1 } } });
    const draining = await eventually(
      () => getCluster(h, 'sd'),
      (cr) => condition(cr, 'Progressing')?.message.includes('billing (7)') === true && b1.write === false,
      10_000,
      'draining',
    );
    expect(condition(draining, 'Progressing')?.reason).toBe('Draining');
    const g1 = draining?.status?.groups?.find((g) => g.name === 'sd-broker-1');
    expect(g1).toMatchObject({ phase: 'Draining', writable: false });
    expect(g1?.drainStartedAt).toBeDefined();
    expect(b0.write).toBe(true);
    await sleep(300);
    expect(await exists(STATEFULSETS, 'sd-broker-1')).toBe(true);

    b1.lag.set('billing', 0);
    const done = await readyGen('sd', 2);
    expect(done?.status?.groups?.map((g) => g.name)).toEqual(['sd-broker-0']);
    for (const rt of [STATEFULSETS, SERVICES, PDBS]) expect(await exists(rt, 'sd-broker-1'), rt.kind).toBe(false);
    expect(await exists(STATEFULSETS, 'sd-broker-0')).toBe(true);
  });

  it('refuses to remove the last writable group of a topic, even with skip-drain, and says so in status', async () => {
    await h.startOperator();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'orphan', { brokers: { groups: 2 } }));
    await readyGen('orphan', 1);
    h.brokers.group('orphan-broker-1').topics.set('only-here', { messageType: 'FIFO', queues: 2 });
    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'orphan', {
      metadata: { annotations: { 'rocketry.io/skip-drain': 'true' } },
      spec: { brokers: { groups: 1 } },
    });
    const cr = await eventually(
      () => getCluster(h, 'orphan'),
      (c) => condition(c, 'Ready')?.reason === 'WouldOrphanTopic',
      10_000,
      'WouldOrphanTopic',
    );
    expect(condition(cr, 'Ready')?.message).toContain('only-here');
    expect(h.brokers.group('orphan-broker-1').write).toBe(true);
    expect(await h.client.get<V1StatefulSet & KubeObject>(STATEFULSETS, h.namespace, 'orphan-broker-1')).toBeDefined();
  });
});
