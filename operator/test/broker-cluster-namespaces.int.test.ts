import type { V1StatefulSet } from '@kubernetes/client-node';
import type { BrokerCluster } from '@rocketry/crds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/runtime/kube-object.js';
import { BROKER_CLUSTERS, STATEFULSETS } from '../src/runtime/resources.js';
import {
  brokerCluster,
  condition,
  eventually,
  type Harness,
  NAMESPACES,
  sleep,
  startHarness,
} from './support/harness.js';
import { MockStatefulSetController } from './support/mock-statefulset-controller.js';

let h: Harness;
let other: MockStatefulSetController | undefined;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  other?.stop();
  await h.stop();
});

const getIn = (namespace: string, name: string) => h.client.get<BrokerCluster>(BROKER_CLUSTERS, namespace, name);

describe('BrokerClusters in several namespaces', () => {
  it('runs two clusters of the same name in two namespaces, each with its own objects and addresses', async () => {
    const second = `${h.namespace}-b`;
    await h.client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: second } });
    other = new MockStatefulSetController(h.client, second).start();
    await h.startOperator();
    const a = await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'prod'));
    const b = await h.client.create(BROKER_CLUSTERS, brokerCluster(second, 'prod', { brokers: { groups: 2 } }));
    const [ra, rb] = await Promise.all(
      [h.namespace, second].map((ns) =>
        eventually(
          () => getIn(ns, 'prod'),
          (cr) => condition(cr, 'Ready')?.status === 'True',
          15_000,
          ns,
        ),
      ),
    );
    expect(ra?.status?.readyGroups).toBe(1);
    expect(rb?.status?.readyGroups).toBe(2);
    expect(rb?.status?.endpoints?.nameServer).toBe(`prod-namesrv-0.prod-namesrv.${second}.svc.cluster.local:9876`);
    const owners = async (ns: string) =>
      (await h.client.list<V1StatefulSet & KubeObject>(STATEFULSETS, ns)).items.map((s) => [
        s.metadata?.name,
        s.metadata?.ownerReferences?.[0]?.uid,
      ]);
    expect(await owners(h.namespace)).toEqual([
      ['prod-broker-0', a.metadata.uid],
      ['prod-namesrv', a.metadata.uid],
    ]);
    expect(await owners(second)).toEqual([
      ['prod-broker-0', b.metadata.uid],
      ['prod-broker-1', b.metadata.uid],
      ['prod-namesrv', b.metadata.uid],
    ]);
  });

  it('with --namespace, watches and touches only that namespace', async () => {
    const second = `${h.namespace}-b`;
    await h.client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: second } });
    await h.startOperator({ namespace: h.namespace });
    await h.client.create(BROKER_CLUSTERS, brokerCluster(second, 'elsewhere'));
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'here'));
    await eventually(
      () => getIn(h.namespace, 'here'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'here',
    );
    await sleep(300);
    expect((await getIn(second, 'elsewhere'))?.status).toBeUndefined();
    expect((await h.client.list(STATEFULSETS, second)).items).toEqual([]);
    const outside = h.kube.requests().filter((r) => r.namespace === undefined && ['list', 'watch'].includes(r.verb));
    expect(outside.filter((r) => ['brokerclusters', 'statefulsets', 'pods'].includes(r.plural))).toEqual([]);
  });
});
