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

describe('BrokerCluster rolls and pauses', () => {
  it('stops a roll at a pod that does not become ready (RolloutStalled, Degraded) and restarts no other pod', async () => {
    await h.startOperator({ brokerCluster: { pollMs: 100, rollReadyTimeoutMs: 400 } });
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'stall', { brokers: { groups: 2 } }));
    await eventually(
      () => getCluster(h, 'stall'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'Ready',
    );
    h.statefulSets.holdNotReady.add('stall-broker-0-0');
    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'stall', {
      spec: { brokers: { config: { logLevel: 'debug' } } },
    });
    const cr = await eventually(
      () => getCluster(h, 'stall'),
      (c) => condition(c, 'Progressing')?.reason === 'RolloutStalled',
      10_000,
      'RolloutStalled',
    );
    expect(condition(cr, 'Degraded')).toMatchObject({ status: 'True', reason: 'PodNotReady' });
    expect(condition(cr, 'Ready')?.status).toBe('False');
    expect(condition(cr, 'Progressing')?.message).toContain('stall-broker-0-0 is not ready');
    await sleep(500);
    expect(podDeletes()).toEqual(['stall-broker-0-0']);

    // The pod recovers: the roll goes on to the next one and completes.
    h.statefulSets.holdNotReady.clear();
    await eventually(
      () => getCluster(h, 'stall'),
      (c) => condition(c, 'Ready')?.status === 'True' && c?.status?.observedGeneration === 2,
      15_000,
      'roll completed',
    );
    expect(podDeletes()).toEqual(['stall-broker-0-0', 'stall-broker-1-0']);
  });

  it('a paused cluster reports Ready=Unknown ReconciliationPaused and its objects are left alone until resumed', async () => {
    await h.startOperator();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'paused'));
    await eventually(
      () => getCluster(h, 'paused'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'Ready',
    );
    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'paused', {
      metadata: { annotations: { 'rocketry.io/pause-reconciliation': 'true' } },
      spec: { brokers: { groups: 2 } },
    });
    const cr = await eventually(
      () => getCluster(h, 'paused'),
      (c) => condition(c, 'Ready')?.reason === 'ReconciliationPaused',
      10_000,
      'paused',
    );
    expect(condition(cr, 'Ready')?.status).toBe('Unknown');
    expect(cr?.status?.observedGeneration).toBe(1);
    await sleep(300);
    expect(await h.client.get(STATEFULSETS, h.namespace, 'paused-broker-1')).toBeUndefined();

    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'paused', {
      metadata: { annotations: { 'rocketry.io/pause-reconciliation': null } },
    });
    await eventually(
      () => getCluster(h, 'paused'),
      (c) => condition(c, 'Ready')?.status === 'True' && c?.status?.readyGroups === 2,
      15_000,
      'resumed',
    );
  });
});
