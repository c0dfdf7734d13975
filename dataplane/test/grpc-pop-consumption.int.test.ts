import { randomBytes } from 'node:crypto';
import { FilterExpression, Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { type GrpcBroker, quietClientLogger, startBroker } from './support/grpc-broker.js';
import { message } from './support/store.js';

let broker: GrpcBroker | undefined;
const clients: { shutdown(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.shutdown().catch(() => {});
  await broker?.close();
  broker = undefined;
});

/** `FilterType.SQL` of the client's protos (the enum is not exported from its index). */
const SQL_FILTER = 2 as ConstructorParameters<typeof FilterExpression>[1];
const suffix = () => randomBytes(4).toString('hex');

async function producerFor(endpoint: string, topic: string): Promise<Producer> {
  const producer = new Producer({ endpoints: endpoint, namespace: '', logger: quietClientLogger, topics: [topic] });
  await producer.startup();
  clients.push(producer);
  return producer;
}

async function consumerFor(
  endpoint: string,
  group: string,
  topic: string,
  awaitMs = 1000,
  filter: string | FilterExpression = '*',
): Promise<SimpleConsumer> {
  const consumer = new SimpleConsumer({
    endpoints: endpoint,
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, filter]]),
    awaitDuration: awaitMs,
    logger: quietClientLogger,
  });
  await consumer.startup();
  clients.push(consumer);
  return consumer;
}

describe('pop consumption with the official simple consumer', () => {
  it('delivers every message once to a group, and an acked message never comes back', async () => {
    broker = await startBroker({ autoCreate: true });
    const topic = `pop-${suffix()}`;
    const producer = await producerFor(broker.endpoint, topic);
    const consumer = await consumerFor(broker.endpoint, `g-${suffix()}`, topic);
    const sent = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const receipt = await producer.send({ topic, body: Buffer.from(`m${i}`), tag: 'A' });
      sent.add(receipt.messageId);
    }
    const seen = new Map<string, number>();
    const deadline = Date.now() + 10_000;
    while (seen.size < sent.size && Date.now() < deadline) {
      for (const m of await consumer.receive(8, 10_000)) {
        seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
        expect(m.deliveryAttempt).toBe(1);
        expect(m.topic).toBe(topic);
        await consumer.ack(m);
      }
    }
    expect(new Set(seen.keys())).toEqual(sent);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(await consumer.receive(8, 10_000)).toEqual([]);
  });

  it('redelivers an unacked message after its invisible time with the next attempt and a new handle', async () => {
    broker = await startBroker({ autoCreate: true });
    const topic = `pop-${suffix()}`;
    const producer = await producerFor(broker.endpoint, topic);
    const consumer = await consumerFor(broker.endpoint, `g-${suffix()}`, topic);
    const { messageId } = await producer.send({ topic, body: Buffer.from('x') });
    const [first] = await consumer.receive(1, 1500);
    expect(first?.messageId).toBe(messageId);
    const firstHandle = first?.receiptHandle;
    // Still invisible: nothing comes back at once.
    expect(await consumer.receive(1, 1500)).toEqual([]);
    const [second] = await consumer.receive(1, 1500);
    expect(second?.messageId).toBe(messageId);
    expect(second?.deliveryAttempt).toBe(2);
    expect(second?.receiptHandle).not.toBe(firstHandle);
    // The first handle is stale now; the second one acks.
    await expect(consumer.ack(first as NonNullable<typeof first>)).rejects.toMatchObject({ code: 40013 });
    await consumer.ack(second as NonNullable<typeof second>);
  });

  it('steps through thousands of messages its tag filter rejects within one receive, and applies SQL92 filters', async () => {
    broker = await startBroker({ autoCreate: true });
    const topic = `pop-${suffix()}`;
    const producer = await producerFor(broker.endpoint, topic);
    const byTag = await consumerFor(broker.endpoint, `g-${suffix()}`, topic, 3000, 'wanted');
    const bySql = await consumerFor(
      broker.endpoint,
      `g-${suffix()}`,
      topic,
      3000,
      new FilterExpression("region = 'eu' AND amount > 100", SQL_FILTER),
    );
    const noise = Array.from({ length: 5000 }, (_, n) => message(topic, n % 8, n, { tag: 'noise', properties: {} }));
    await broker.store.appendAll(noise);
    const wanted = await producer.send({ topic, body: Buffer.from('w'), tag: 'wanted' });
    const sql = await producer.send({
      topic,
      body: Buffer.from('s'),
      properties: new Map([
        ['region', 'eu'],
        ['amount', '150'],
      ]),
    });
    await producer.send({
      topic,
      body: Buffer.from('t'),
      properties: new Map([
        ['region', 'eu'],
        ['amount', '50'],
      ]),
    });

    const started = Date.now();
    const got = await byTag.receive(32, 10_000);
    expect(got.map((m) => m.messageId)).toEqual([wanted.messageId]);
    // Well under one wake-up per batch of 32 rejected messages (5000 / 32 × 500 ms).
    expect(Date.now() - started).toBeLessThan(2500);
    const matched: string[] = [];
    for (let i = 0; i < 3 && matched.length === 0; i++)
      matched.push(...(await bySql.receive(32, 10_000)).map((m) => m.messageId));
    expect(matched).toEqual([sql.messageId]);
  });
});
