import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENTITY_FINALIZER } from '../src/reconcile/entities/index.js';
import { BROKER_CLUSTERS, CONSUMER_GROUPS, TOPICS } from '../src/runtime/resources.js';
import {
  createExternalCluster,
  type Entity,
  entity,
  externalSpec,
  gone,
  readyOf,
  startEntityOperator,
  suffix,
  waitForReason,
} from './support/entity-fixture.js';
import { eventually, type Harness, sleep, startHarness } from './support/harness.js';
import { type RealBroker, startRealBroker } from './support/real-brokers.js';

const silentClientLogger = { info() {}, warn() {}, error() {}, debug() {} };

let b0: RealBroker;
let b1: RealBroker;
let b2: RealBroker;
beforeAll(async () => {
  [b0, b1, b2] = await Promise.all([
    startRealBroker('b0', 'entity-test-token-0123456789'),
    startRealBroker('b1'),
    startRealBroker('b2'),
  ]);
});
afterAll(async () => {
  await Promise.all([b0, b1, b2].map((b) => b?.stop()));
});

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const topic = (name: string, spec: Record<string, unknown> = {}) => entity('Topic', h.namespace, name, spec);
const getTopic = (name: string) => h.client.get<Entity>(TOPICS, h.namespace, name);
/** Writes the operator made to a Topic (the test's own create left out). */
const writesTo = (name: string) =>
  h.kube.writes({ resource: 'topics', namespace: h.namespace }).filter((w) => w.name === name && w.verb !== 'create')
    .length;

describe('Topic reconciler (real operator entry point, in-test API server, real brokers)', () => {
  it('makes the topic exist on every broker group with its type and queues, with two API writes and none in steady state; raising spec.queues adds queues', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    const name = `orders-${suffix()}`;
    await h.client.create(TOPICS, topic(name, { messageType: 'FIFO', queues: 4 }));

    const ready = await waitForReason(h, TOPICS, name, 'Reconciled');
    expect(readyOf(ready)?.status).toBe('True');
    expect(ready?.metadata?.finalizers).toEqual([ENTITY_FINALIZER]);
    expect(ready?.status).toMatchObject({
      topicName: name,
      brokerGroups: [
        { name: 'b0', queues: 4, messageType: 'FIFO' },
        { name: 'b1', queues: 4, messageType: 'FIFO' },
      ],
    });
    for (const b of [b0, b1]) expect(await b.admin.getTopic(name)).toMatchObject({ messageType: 'FIFO', queues: 4 });
    expect(await b2.admin.getTopic(name)).toBeUndefined();
    expect(writesTo(name)).toBe(2); // the finalizer, then status

    await sleep(2_500); // two resyncs: every broker is read again, nothing is written
    expect(writesTo(name)).toBe(2);

    await h.client.mergePatch(TOPICS, h.namespace, name, { spec: { queues: 8 } });
    const updated = await eventually(
      () => getTopic(name),
      (t) => t?.status?.observedGeneration === 2 && readyOf(t)?.reason === 'Reconciled',
      15_000,
      'generation 2 reconciled',
    );
    expect(updated?.status?.brokerGroups).toEqual([
      { name: 'b0', queues: 8, messageType: 'FIFO' },
      { name: 'b1', queues: 8, messageType: 'FIFO' },
    ]);
    for (const b of [b0, b1]) expect(await b.admin.getTopic(name)).toMatchObject({ messageType: 'FIFO', queues: 8 });
  });

  it('recreates a topic deleted behind the operator’s back on the next resync', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    const name = `drift-${suffix()}`;
    await h.client.create(TOPICS, topic(name, { queues: 2 }));
    await waitForReason(h, TOPICS, name, 'Reconciled');

    expect(await b1.admin.deleteTopic(name)).toBe(true);
    await eventually(
      () => b1.admin.getTopic(name),
      (t) => t !== undefined,
      10_000,
      'topic recreated on b1',
    );
    expect(await b1.admin.getTopic(name)).toMatchObject({ messageType: 'NORMAL', queues: 2 });
  });

  it('puts every topic on a broker group added to the cluster later (scale-up)', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0]);
    const names = [`scale-a-${suffix()}`, `scale-b-${suffix()}`];
    for (const name of names) await h.client.create(TOPICS, topic(name, { queues: 3 }));
    for (const name of names) await waitForReason(h, TOPICS, name, 'Reconciled');
    expect(await b2.admin.getTopic(names[0] ?? '')).toBeUndefined();

    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'prod', { spec: externalSpec([b0, b2]) });
    for (const name of names) {
      await eventually(
        () => b2.admin.getTopic(name),
        (t) => t?.queues === 3,
        10_000,
        `${name} on b2`,
      );
      await eventually(
        () => getTopic(name),
        (t) => (t?.status?.brokerGroups as unknown[] | undefined)?.length === 2,
        10_000,
        `${name} status lists b2`,
      );
    }
  });

  it('follows deletionPolicy: Delete removes the topic from every group, Retain leaves it', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    const deleted = `del-${suffix()}`;
    const retained = `keep-${suffix()}`;
    await h.client.create(TOPICS, topic(deleted, { deletionPolicy: 'Delete' }));
    await h.client.create(TOPICS, topic(retained, { deletionPolicy: 'Retain' }));
    await waitForReason(h, TOPICS, deleted, 'Reconciled');
    await waitForReason(h, TOPICS, retained, 'Reconciled');

    await h.client.delete(TOPICS, h.namespace, deleted);
    await h.client.delete(TOPICS, h.namespace, retained);
    await gone(h, TOPICS, deleted);
    await gone(h, TOPICS, retained);
    for (const b of [b0, b1]) {
      expect(await b.admin.getTopic(deleted)).toBeUndefined();
      expect(await b.admin.getTopic(retained)).toMatchObject({ queues: 8 });
    }
  });

  it('DeleteIfEmpty blocks the deletion (DeletionBlocked) while a message is unconsumed, then deletes once it is acked', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    const name = `empty-${suffix()}`;
    const group = `drainer-${suffix()}`;
    await h.client.create(TOPICS, topic(name, { queues: 1, deletionPolicy: 'DeleteIfEmpty' }));
    await h.client.create(CONSUMER_GROUPS, entity('ConsumerGroup', h.namespace, group, {}));
    await waitForReason(h, TOPICS, name, 'Reconciled');
    await waitForReason(h, CONSUMER_GROUPS, group, 'Reconciled');

    // The group's position starts at the topic's end when it first consumes: it consumes once before the send, so
    // the message is its backlog.
    const consumer = new SimpleConsumer({
      endpoints: b0.grpc,
      namespace: '',
      consumerGroup: group,
      subscriptions: new Map([[name, '*']]),
      awaitDuration: 500,
      logger: silentClientLogger,
    });
    const producer = new Producer({ endpoints: b0.grpc, namespace: '', logger: silentClientLogger });
    await Promise.all([consumer.startup(), producer.startup()]);
    try {
      expect(await consumer.receive(4, 30_000)).toEqual([]);
      await producer.send({ topic: name, body: Buffer.from('still here') });

      await h.client.delete(TOPICS, h.namespace, name);
      const blocked = await eventually(
        () => getTopic(name),
        (t) => readyOf(t)?.reason === 'DeletionBlocked',
        10_000,
        'DeletionBlocked',
      );
      expect(readyOf(blocked)?.message).toBe(
        `deletionPolicy DeleteIfEmpty: topic ${name} still has messages (b0: consumer group ${group}: 1 ready, 0 in flight)`,
      );
      await sleep(500); // rechecked meanwhile, still blocked
      expect(await b0.admin.getTopic(name)).toBeDefined();
      expect(await getTopic(name)).toBeDefined();

      const deadline = Date.now() + 10_000;
      let acked = 0;
      while (acked === 0 && Date.now() < deadline) {
        for (const m of await consumer.receive(4, 30_000)) {
          await consumer.ack(m);
          acked++;
        }
      }
      expect(acked).toBe(1);
    } finally {
      await Promise.all([consumer.shutdown(), producer.shutdown()]);
    }
    await gone(h, TOPICS, name);
    for (const b of [b0, b1]) expect(await b.admin.getTopic(name)).toBeUndefined();
  });

  it('gives the younger of two Topics naming the same broker topic ResourceConflict, and hands the topic over when the older is deleted', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    const shared = `shared-${suffix()}`;
    await h.client.create(TOPICS, topic('older', { topicName: shared, queues: 2 }));
    await waitForReason(h, TOPICS, 'older', 'Reconciled');
    await sleep(1_100); // creationTimestamp has whole seconds
    await h.client.create(TOPICS, topic('younger', { topicName: shared, queues: 4 }));

    const conflicted = await waitForReason(h, TOPICS, 'younger', 'ResourceConflict');
    expect(readyOf(conflicted)?.message).toBe(
      `topic ${shared} on BrokerCluster ${h.namespace}/prod is managed by ${h.namespace}/older (the older object)`,
    );
    expect(conflicted?.metadata?.finalizers ?? []).toEqual([]);
    expect(await b0.admin.getTopic(shared)).toMatchObject({ queues: 2 });

    // The older one goes (policy Delete), but another live Topic claims the broker topic: it is handed over, not deleted.
    await h.client.delete(TOPICS, h.namespace, 'older');
    await gone(h, TOPICS, 'older');
    await waitForReason(h, TOPICS, 'younger', 'Reconciled');
    for (const b of [b0, b1]) expect(await b.admin.getTopic(shared)).toMatchObject({ queues: 4 });
  });

  it('reports InvalidSpec for a spec the CRD rules reject and for a message type change the brokers refuse, without writing or looping', async () => {
    const handle = await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    // A dotted name needs spec.topicName (a CEL rule this API server does not run).
    await h.client.create(TOPICS, topic('orders.v1', {}));
    const invalid = await waitForReason(h, TOPICS, 'orders.v1', 'InvalidSpec');
    expect(readyOf(invalid)?.message).toContain('metadata.name is not a valid topic name');
    expect(await b0.admin.getTopic('orders.v1').catch(() => undefined)).toBeUndefined();

    const name = `typed-${suffix()}`;
    await h.client.create(TOPICS, topic(name, { messageType: 'NORMAL', queues: 2 }));
    await waitForReason(h, TOPICS, name, 'Reconciled');
    await h.client.mergePatch(TOPICS, h.namespace, name, { spec: { messageType: 'DELAY' } });
    const refused = await waitForReason(h, TOPICS, name, 'InvalidSpec');
    expect(readyOf(refused)?.message).toBe(
      `topic ${name} is NORMAL on broker group b0 and spec.messageType is DELAY: a topic's message type cannot change ` +
        '(delete the topic on the brokers, or use another topicName); ' +
        `topic ${name} is NORMAL on broker group b1 and spec.messageType is DELAY: a topic's message type cannot ` +
        'change (delete the topic on the brokers, or use another topicName)',
    );

    const before = { invalid: writesTo('orders.v1'), refused: writesTo(name) };
    const errorsBefore = await reconcileErrors(handle.port);
    await sleep(2_500);
    expect({ invalid: writesTo('orders.v1'), refused: writesTo(name) }).toEqual(before);
    expect(await reconcileErrors(handle.port)).toBe(errorsBefore);
    for (const b of [b0, b1]) expect(await b.admin.getTopic(name)).toMatchObject({ messageType: 'NORMAL' });
  });

  it('retries 409 conflicts on its Topic writes and an API outage, and converges with no extra applied writes', async () => {
    await startEntityOperator(h);
    await createExternalCluster(h, 'prod', [b0, b1]);
    h.kube.faults.injectConflicts(2, { resource: 'topics', subresource: 'status' });
    h.kube.faults.injectConflicts(1, { resource: 'topics', verbs: ['patch'] });
    const name = `bumpy-${suffix()}`;
    await h.client.create(TOPICS, topic(name, { queues: 2 }));
    await waitForReason(h, TOPICS, name, 'Reconciled');
    expect(writesTo(name)).toBe(2);
    const refused = h.kube
      .writes({ resource: 'topics', namespace: h.namespace, includeFailed: true })
      .filter((w) => w.name === name && w.code === 409);
    expect(refused).toHaveLength(3);

    await h.kube.faults.outageFor(1_000);
    const after = `after-outage-${suffix()}`;
    await h.client.create(TOPICS, topic(after, { queues: 2 }));
    await waitForReason(h, TOPICS, after, 'Reconciled');
    expect(await b1.admin.getTopic(after)).toMatchObject({ queues: 2 });
  });

  it('waits for a missing cluster (ClusterNotFound) and syncs once it is created', async () => {
    await startEntityOperator(h);
    const name = `early-${suffix()}`;
    await h.client.create(TOPICS, topic(name, {}));
    const waiting = await waitForReason(h, TOPICS, name, 'ClusterNotFound');
    expect(readyOf(waiting)?.message).toBe(`BrokerCluster ${h.namespace}/prod not found`);
    await createExternalCluster(h, 'prod', [b1]);
    await waitForReason(h, TOPICS, name, 'Reconciled');
    expect(await b1.admin.getTopic(name)).toBeDefined();
  });
});

/** The operator's failed-reconcile counter from /metrics (a hot loop would raise it). */
async function reconcileErrors(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => /^rocketry_operator_reconcile_errors_total\{[^}]*kind="Topic"/.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}
