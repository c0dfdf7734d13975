import { randomBytes } from 'node:crypto';
import { FilterExpression } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { type GrpcBroker, startBroker } from './support/grpc-broker.js';
import { OfficialClients, SQL_FILTER } from './support/official-clients.js';
import { message } from './support/store.js';

let broker: GrpcBroker | undefined;
const clients = new OfficialClients(() => broker?.endpoint ?? '');
afterEach(async () => {
  await clients.shutdownAll();
  await broker?.close();
  broker = undefined;
});

const suffix = () => randomBytes(4).toString('hex');

describe('pop consumption with the official simple consumer', () => {
  it('delivers every message once to a group, and an acked message never comes back', async () => {
    broker = await startBroker({ autoCreate: true });
    const topic = `pop-${suffix()}`;
    const producer = await clients.producer([topic]);
    const consumer = await clients.simple(`g-${suffix()}`, { [topic]: '*' });
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
    const producer = await clients.producer([topic]);
    const consumer = await clients.simple(`g-${suffix()}`, { [topic]: '*' });
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
    const producer = await clients.producer([topic]);
    const byTag = await clients.simple(`g-${suffix()}`, { [topic]: 'wanted' }, 3000);
    const bySql = await clients.simple(
      `g-${suffix()}`,
      { [topic]: new FilterExpression("region = 'eu' AND amount > 100", SQL_FILTER) },
      3000,
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
