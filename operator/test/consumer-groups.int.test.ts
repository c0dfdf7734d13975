import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENTITY_FINALIZER } from '../src/reconcile/entities/index.js';
import { BROKER_CLUSTERS, CONSUMER_GROUPS, EVENT_RULES } from '../src/runtime/resources.js';
import {
  createExternalCluster,
  type Entity,
  entity,
  gone,
  readyOf,
  startEntityOperator,
  suffix,
  waitForReason,
} from './support/entity-fixture.js';
import { eventually, type Harness, sleep, startHarness } from './support/harness.js';
import { type RealBroker, startRealBroker } from './support/real-brokers.js';

let b0: RealBroker;
let b1: RealBroker;
beforeAll(async () => {
  [b0, b1] = await Promise.all([startRealBroker('b0', 'entity-test-token-0123456789'), startRealBroker('b1')]);
});
afterAll(async () => {
  await Promise.all([b0, b1].map((b) => b?.stop()));
});

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const group = (name: string, spec: Record<string, unknown> = {}) => entity('ConsumerGroup', h.namespace, name, spec);
const getGroup = (name: string) => h.client.get<Entity>(CONSUMER_GROUPS, h.namespace, name);

describe('ConsumerGroup reconciler (real operator entry point, in-test API server, real brokers)', () => {
  it('makes the group exist on every broker group, updates its delivery settings, and recreates it after an out-of-band delete', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    const name = `workers-${suffix()}`;
    await h.client.create(CONSUMER_GROUPS, group(name, { fifo: true, maxDeliveryAttempts: 5 }));
    const ready = await waitForReason(h, CONSUMER_GROUPS, name, 'Reconciled');
    expect(readyOf(ready)?.status).toBe('True');
    expect(ready?.status?.groupName).toBe(name);
    expect(ready?.metadata?.finalizers).toEqual([ENTITY_FINALIZER]);
    for (const b of [b0, b1]) {
      expect(await b.admin.getGroup(name)).toMatchObject({
        fifo: true,
        maxDeliveryAttempts: 5,
        retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
      });
    }

    await h.client.mergePatch(CONSUMER_GROUPS, h.namespace, name, {
      spec: { maxDeliveryAttempts: 9, retryPolicy: { maxMs: 60_000 } },
    });
    await eventually(
      () => getGroup(name),
      (g) => g?.status?.observedGeneration === 2 && readyOf(g)?.reason === 'Reconciled',
      15_000,
      'generation 2',
    );
    for (const b of [b0, b1]) {
      expect(await b.admin.getGroup(name)).toMatchObject({ maxDeliveryAttempts: 9, retryPolicy: { maxMs: 60_000 } });
    }

    expect(await b0.admin.deleteGroup(name)).toBe(true);
    await eventually(
      () => b0.admin.getGroup(name),
      (g) => g?.maxDeliveryAttempts === 9,
      10_000,
      'group recreated',
    );
  });

  it('reports a FIFO change the brokers refuse as InvalidSpec and leaves the brokers alone', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    const name = `orderly-${suffix()}`;
    await h.client.create(CONSUMER_GROUPS, group(name, { fifo: false }));
    await waitForReason(h, CONSUMER_GROUPS, name, 'Reconciled');
    await h.client.mergePatch(CONSUMER_GROUPS, h.namespace, name, { spec: { fifo: true, maxDeliveryAttempts: 3 } });
    const refused = await waitForReason(h, CONSUMER_GROUPS, name, 'InvalidSpec');
    expect(readyOf(refused)?.message).toContain(
      `consumer group ${name} is not FIFO on broker group b0 and spec.fifo is true: that cannot change`,
    );
    for (const b of [b0, b1])
      expect(await b.admin.getGroup(name)).toMatchObject({ fifo: false, maxDeliveryAttempts: 17 });
  });

  it('deletes the group from every broker group with deletionPolicy Delete and keeps it with Retain', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    const deleted = `gone-${suffix()}`;
    const retained = `kept-${suffix()}`;
    await h.client.create(CONSUMER_GROUPS, group(deleted, {}));
    await h.client.create(CONSUMER_GROUPS, group(retained, { deletionPolicy: 'Retain' }));
    await waitForReason(h, CONSUMER_GROUPS, deleted, 'Reconciled');
    await waitForReason(h, CONSUMER_GROUPS, retained, 'Reconciled');
    await h.client.delete(CONSUMER_GROUPS, h.namespace, deleted);
    await h.client.delete(CONSUMER_GROUPS, h.namespace, retained);
    await gone(h, CONSUMER_GROUPS, deleted);
    await gone(h, CONSUMER_GROUPS, retained);
    for (const b of [b0, b1]) {
      expect(await b.admin.getGroup(deleted)).toBeUndefined();
      expect(await b.admin.getGroup(retained)).toBeDefined();
    }
  });

  it('gives the younger of two ConsumerGroups naming the same broker group ResourceConflict', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0]);
    const shared = `shared-${suffix()}`;
    await h.client.create(CONSUMER_GROUPS, group('first', { groupName: shared, maxDeliveryAttempts: 4 }));
    await waitForReason(h, CONSUMER_GROUPS, 'first', 'Reconciled');
    await sleep(1_100);
    await h.client.create(CONSUMER_GROUPS, group('second', { groupName: shared, maxDeliveryAttempts: 8 }));
    const conflicted = await waitForReason(h, CONSUMER_GROUPS, 'second', 'ResourceConflict');
    expect(readyOf(conflicted)?.message).toBe(
      `consumer group ${shared} on BrokerCluster ${h.namespace}/prod is managed by ${h.namespace}/first (the older object)`,
    );
    await sleep(1_500);
    expect(await b0.admin.getGroup(shared)).toMatchObject({ maxDeliveryAttempts: 4 });
  });

  it('releases the finalizer without broker calls when the cluster is gone', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0]);
    const name = `orphan-${suffix()}`;
    await h.client.create(CONSUMER_GROUPS, group(name, {}));
    await waitForReason(h, CONSUMER_GROUPS, name, 'Reconciled');
    await h.client.delete(BROKER_CLUSTERS, h.namespace, 'prod');
    await waitForReason(h, CONSUMER_GROUPS, name, 'ClusterNotFound');
    await h.client.delete(CONSUMER_GROUPS, h.namespace, name);
    await gone(h, CONSUMER_GROUPS, name);
    expect(await b0.admin.getGroup(name)).toBeDefined();
  });
});

describe('EventRule reconciler', () => {
  it('says honestly that rules are not supported yet (Ready=False, NotSupported), with no finalizer', async () => {
    await startEntityOperator(h);
    await h.client.create(
      EVENT_RULES,
      entity('EventRule', h.namespace, 'big-orders', {
        source: { topic: 'orders' },
        targets: [{ name: 'billing', topic: { name: 'billing-events' } }],
      }),
    );
    await waitForReason(h, EVENT_RULES, 'big-orders', 'ClusterNotFound');
    await createExternalCluster(h, 'prod', [b0]);
    const rule = await waitForReason(h, EVENT_RULES, 'big-orders', 'NotSupported');
    expect(readyOf(rule)).toMatchObject({
      status: 'False',
      message:
        'Rocketry brokers have no eventing engine yet: this rule is stored but routes no events from topic orders, ' +
        'and nothing was created on the brokers',
    });
    expect(rule?.metadata?.finalizers ?? []).toEqual([]);
    expect((await b0.admin.listGroups()).map((g) => g.name)).not.toContain('big-orders');
    await h.client.delete(EVENT_RULES, h.namespace, 'big-orders');
    await gone(h, EVENT_RULES, 'big-orders');
  });
});
