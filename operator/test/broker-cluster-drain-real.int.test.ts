import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BrokerAdminFactory } from '../src/broker-admin/broker-admin.js';
import { HttpBrokerAdmin } from '../src/broker-admin/http-broker-admin.js';
import type { KubeObject } from '../src/runtime/kube-object.js';
import { BROKER_CLUSTERS, SECRETS, STATEFULSETS } from '../src/runtime/resources.js';
import { brokerCluster, condition, eventually, getCluster, type Harness, startHarness } from './support/harness.js';
import { type RealBroker, startRealBroker } from './support/real-broker.js';

// Real `rocketry broker` processes stand in for the pods' brokers: the operator addresses pods by their cluster DNS
// names, which the factory below maps to the processes' loopback admin URLs (the only fake is that address book).
let h: Harness;
const brokers: RealBroker[] = [];
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

describe('BrokerCluster scale-down with real broker processes', () => {
  it('sets the leaving broker read-only through its admin API, then removes the group; the kept broker stays writable', async () => {
    const token = 'drain-token-0123456789abcdef';
    const [b0, b1] = await Promise.all([startRealBroker('rd-0', token), startRealBroker('rd-1', token)]);
    brokers.push(b0 as RealBroker, b1 as RealBroker);
    const byPod: Record<string, string> = { 'rd-broker-0-0': b0?.admin ?? '', 'rd-broker-1-0': b1?.admin ?? '' };
    const reached: string[] = [];
    const factory: BrokerAdminFactory = (url, t) => {
      const pod = new URL(url).hostname.split('.')[0] ?? '';
      reached.push(pod);
      return new HttpBrokerAdmin(byPod[pod] ?? url, t, { timeoutMs: 1_000 });
    };
    await h.client.create(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'rd-admin', namespace: h.namespace },
      stringData: { token },
    } as KubeObject);
    await h.startOperator({ brokerAdmin: factory });
    await h.client.create(
      BROKER_CLUSTERS,
      brokerCluster(h.namespace, 'rd', { brokers: { groups: 2 }, adminSecretRef: { name: 'rd-admin' } }),
    );
    await eventually(
      () => getCluster(h, 'rd'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'Ready',
    );
    const admin0 = new HttpBrokerAdmin(b0?.admin ?? '', token);
    const admin1 = new HttpBrokerAdmin(b1?.admin ?? '', token);
    for (const a of [admin0, admin1]) await a.putTopic('orders', { messageType: 'NORMAL', queues: 2 });
    await admin1.putGroup('billing', {});

    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'rd', { spec: { brokers: { groups: 1 } } });
    const cr = await eventually(
      () => getCluster(h, 'rd'),
      (c) => condition(c, 'Ready')?.status === 'True' && c?.status?.observedGeneration === 2,
      15_000,
      'scaled down',
    );
    expect(await admin1.getPermission()).toEqual({ write: false });
    expect(await admin0.getPermission()).toEqual({ write: true });
    expect(cr?.status?.groups?.map((g) => [g.name, g.writable])).toEqual([['rd-broker-0', true]]);
    expect(await h.client.get(STATEFULSETS, h.namespace, 'rd-broker-1')).toBeUndefined();
    expect(reached).toContain('rd-broker-1-0');
  });
});
