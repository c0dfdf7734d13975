import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpBrokerAdmin } from '../src/broker-admin/http-broker-admin.js';
import type { KubeObject } from '../src/runtime/kube-object.js';
import { BROKER_CLUSTERS, SECRETS, STATEFULSETS } from '../src/runtime/resources.js';
import { brokerCluster, condition, eventually, getCluster, type Harness, startHarness } from './support/harness.js';
import { type RealBroker, startRealBroker } from './support/real-broker.js';

let h: Harness;
let broker: RealBroker | undefined;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
  await broker?.stop();
});

describe('BrokerCluster External mode (a real broker process)', () => {
  it('runs no workloads and reports each listed broker: reachable, its write permission, and Ready only when all answer', async () => {
    broker = await startRealBroker('ext', 'external-token-0123456789');
    await h.client.create(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ext-admin', namespace: h.namespace },
      stringData: { token: broker.token },
    } as KubeObject);
    await h.startOperator({ brokerAdmin: httpBrokerAdmin({ timeoutMs: 1_000 }) });
    await h.client.create(
      BROKER_CLUSTERS,
      brokerCluster(h.namespace, 'ext', {
        mode: 'External',
        external: {
          nameServer: 'namesrv.example.net:9876',
          brokers: [
            { name: 'real', adminUrl: broker.admin, credentialsSecretRef: { name: 'ext-admin' } },
            { name: 'gone', adminUrl: 'http://127.0.0.1:1' },
          ],
        },
      }),
    );
    const partial = await eventually(
      () => getCluster(h, 'ext'),
      (cr) => condition(cr, 'Ready')?.reason === 'BrokersUnreachable',
      10_000,
      'BrokersUnreachable',
    );
    expect(condition(partial, 'Available')).toMatchObject({ status: 'True', reason: 'SomeBrokersReachable' });
    expect(partial?.status?.groups?.map((g) => [g.name, g.ready, g.writable])).toEqual([
      ['real', true, true],
      ['gone', false, false],
    ]);
    expect(partial?.status?.endpoints?.nameServer).toBe('namesrv.example.net:9876');
    expect((await h.client.list(STATEFULSETS, h.namespace)).items).toEqual([]);

    // Drained behind the operator's back: the next probe shows it.
    await fetch(`${broker.admin}/v1/broker/permission`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${broker.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ write: false }),
    });
    await eventually(
      () => getCluster(h, 'ext'),
      (cr) => cr?.status?.groups?.find((g) => g.name === 'real')?.writable === false,
      10_000,
      'read-only seen',
    );

    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'ext', {
      spec: {
        external: { brokers: [{ name: 'real', adminUrl: broker.admin, credentialsSecretRef: { name: 'ext-admin' } }] },
      },
    });
    const ready = await eventually(
      () => getCluster(h, 'ext'),
      (cr) => condition(cr, 'Ready')?.status === 'True' && cr?.status?.observedGeneration === 2,
      10_000,
      'Ready',
    );
    expect(ready?.status?.readyGroups).toBe(1);
  });
});
