import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROKER_CLUSTERS, STATEFULSETS } from '../src/runtime/resources.js';
import {
  brokerCluster,
  condition,
  eventually,
  getCluster,
  type Harness,
  sleep,
  startHarness,
} from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const podDeletes = () =>
  h.kube
    .writes({ resource: 'pods', namespace: h.namespace })
    .filter((w) => w.verb === 'delete')
    .map((w) => w.name);

describe('BrokerCluster across operator restarts (nothing kept in memory)', () => {
  it('a new operator instance resumes a roll where the stopped one left it, restarting each pod once', async () => {
    const first = await h.startOperator();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'resume', { brokers: { groups: 3 } }));
    await eventually(
      () => getCluster(h, 'resume'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'Ready',
    );
    h.statefulSets.holdNotReady.add('resume-broker-0-0');
    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'resume', {
      spec: { brokers: { config: { flush: 'sync' } } },
    });
    await eventually(
      async () => podDeletes(),
      (d) => d.length === 1,
      10_000,
      'first pod restarted',
    );
    await first.stop();

    await h.startOperator();
    await sleep(300);
    expect(podDeletes()).toEqual(['resume-broker-0-0']); // still waiting for that pod, not starting on another
    h.statefulSets.holdNotReady.clear();
    await eventually(
      () => getCluster(h, 'resume'),
      (cr) => condition(cr, 'Ready')?.status === 'True' && cr?.status?.observedGeneration === 2,
      15_000,
      'roll finished',
    );
    expect(podDeletes()).toEqual(['resume-broker-0-0', 'resume-broker-1-0', 'resume-broker-2-0']);
  });

  it('a new operator instance continues a drain from the start time in status', async () => {
    const first = await h.startOperator();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'drain', { brokers: { groups: 2 } }));
    await eventually(
      () => getCluster(h, 'drain'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'Ready',
    );
    const b1 = h.brokers.group('drain-broker-1');
    await b1.putGroup('billing', {});
    b1.lag.set('billing', 3);
    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'drain', { spec: { brokers: { groups: 1 } } });
    const draining = await eventually(
      () => getCluster(h, 'drain'),
      (cr) => cr?.status?.groups?.some((g) => g.phase === 'Draining' && g.drainStartedAt !== undefined) === true,
      10_000,
      'draining',
    );
    const startedAt = draining?.status?.groups?.find((g) => g.name === 'drain-broker-1')?.drainStartedAt;
    await first.stop();

    // The new instance's drain timeout counts from the recorded start, which is already past it.
    await h.startOperator({ brokerCluster: { pollMs: 100, drainPollMs: 100, drainTimeoutMs: 1 } });
    const done = await eventually(
      () => getCluster(h, 'drain'),
      (cr) => condition(cr, 'Ready')?.status === 'True' && cr?.status?.observedGeneration === 2,
      15_000,
      'removed after the timeout',
    );
    expect(done?.status?.groups?.map((g) => g.name)).toEqual(['drain-broker-0']);
    expect(await h.client.get(STATEFULSETS, h.namespace, 'drain-broker-1')).toBeUndefined();
    expect(startedAt).toBeDefined();
    expect(b1.calls.filter((c) => c === 'setPermission false')).toHaveLength(1);
  });
});
