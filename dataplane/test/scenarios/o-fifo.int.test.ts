import { ConsumeResult, type MessageView } from 'rocketmq-client-nodejs';
import { describe, it } from 'vitest';
import { DEFAULT_GROUP_CONFIG, DEFAULT_RETRY_POLICY } from '../../src/messaging/groups.js';
import {
  AWAIT_MS,
  clientsOf,
  fileBroker,
  groupName,
  INV_MS,
  receiveOwn,
  scenarioProperties,
  seqOf,
  sleep,
  topicName,
  until,
} from './scenario-support.js';

/** SCENARIOS.md group O: FIFO consumer groups over FIFO topics (message groups), with the official client. */
const broker = fileBroker();
const endpoint = () => broker().endpoint;

/** A FIFO topic of 4 queues and a FIFO consumer group (FIFO is the group's property, PROTOCOL.md §7.7). */
async function fifoPair(scn: string, maxDeliveryAttempts = DEFAULT_GROUP_CONFIG.maxDeliveryAttempts) {
  const topic = topicName(scn, 'fifo');
  const group = groupName(scn);
  await broker().topics.put(topic, { messageType: 'FIFO', queues: 4 });
  await broker().groups.put(group, {
    ...DEFAULT_GROUP_CONFIG,
    fifo: true,
    maxDeliveryAttempts,
    // Local retries of a FIFO push consumer wait this backoff between attempts (the shortest the broker allows).
    retryPolicy: { ...DEFAULT_RETRY_POLICY, initialMs: 1000, maxMs: 1000 },
  });
  return { topic, group };
}

/** Per message group, the sequence numbers in the order they were seen. */
function byGroup(messages: readonly MessageView[], scn: string): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  for (const m of messages) {
    const key = m.messageGroup ?? '';
    seen.set(key, [...(seen.get(key) ?? []), seqOf(m, scn) as number]);
  }
  return seen;
}

const ILLEGAL_MESSAGE_GROUP = 40006;
const MESSAGE_PROPERTY_CONFLICT_WITH_TYPE = 40014;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.concurrent('O: FIFO with the official client', () => {
  it('O01: a receive while a batch is unacked skips the groups in flight; each group arrives 0..5 in order', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const { topic, group } = await fifoPair('O01');
    const consumer = await clients.simple(group, { [topic]: '*' });
    const producer = await clients.producer([topic]);
    for (let seq = 0; seq < 6; seq++) {
      for (const g of ['a', 'b', 'c']) {
        await producer.send({
          topic,
          body: Buffer.from(`${g}${seq}`),
          messageGroup: `O01-${g}`,
          properties: scenarioProperties('O01', seq),
        });
      }
    }
    const processed: MessageView[] = [];
    const deadline = Date.now() + 30_000;
    for (let cycle = 0; processed.length < 18 && Date.now() < deadline; cycle++) {
      const first = await receiveOwn(consumer, 'O01', { invisibleMs: INV_MS });
      if (cycle < 2 && first.length > 0) {
        const inFlight = new Set(first.map((m) => m.messageGroup));
        const second = await receiveOwn(consumer, 'O01', { invisibleMs: INV_MS });
        expect(second.filter((m) => inFlight.has(m.messageGroup))).toEqual([]);
        first.push(...second);
      }
      for (const m of first) {
        processed.push(m);
        await consumer.ack(m);
      }
    }
    const groups = byGroup(processed, 'O01');
    expect([...groups.keys()].sort()).toEqual(['O01-a', 'O01-b', 'O01-c']);
    for (const seqs of groups.values()) expect(seqs).toEqual(range(6));
  });

  it('O02: the next message waits while the first is in flight; after expiry the first comes back first', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const { topic, group } = await fifoPair('O02');
    const consumer = await clients.simple(group, { [topic]: '*' });
    const producer = await clients.producer([topic]);
    for (const seq of [0, 1]) {
      await producer.send({
        topic,
        body: Buffer.from(`m${seq}`),
        messageGroup: 'O02-g',
        properties: scenarioProperties('O02', seq),
      });
    }
    const [m1] = await receiveOwn(consumer, 'O02', { max: 1, invisibleMs: INV_MS });
    expect(seqOf(m1 as MessageView, 'O02')).toBe(0);
    const receivedAt = Date.now();
    // Poll through the invisible time: nothing of the group may come while m1 is in flight.
    const during: MessageView[] = [];
    let again: MessageView | undefined;
    while (!again && Date.now() < receivedAt + INV_MS + 10_000) {
      for (const m of await receiveOwn(consumer, 'O02', { invisibleMs: INV_MS })) {
        if (Date.now() < receivedAt + INV_MS - 200) during.push(m);
        if (!again) again = m;
        else during.push(m);
      }
    }
    expect(during).toEqual([]);
    expect(seqOf(again as MessageView, 'O02')).toBe(0);
    expect(again?.deliveryAttempt).toBe(2);
    await consumer.ack(again as MessageView);
    const next = await receiveOwn(consumer, 'O02', { invisibleMs: INV_MS });
    expect(next.map((m) => seqOf(m, 'O02'))).toEqual([1]);
    await consumer.ack(next[0] as MessageView);
  });

  it('O03: a push consumer gets fifo settings, never two messages of a group at once, each group 0..19', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const { topic, group } = await fifoPair('O03');
    const busy = new Set<string>();
    let overlaps = 0;
    const seen: MessageView[] = [];
    await clients.push(group, topic, 'O03', async (m) => {
      const g = m.messageGroup ?? '';
      if (busy.has(g)) overlaps++;
      busy.add(g);
      await sleep(15);
      seen.push(m);
      busy.delete(g);
      return ConsumeResult.SUCCESS;
    });
    const producer = await clients.producer([topic]);
    for (let seq = 0; seq < 20; seq++) {
      for (const g of ['a', 'b', 'c']) {
        await producer.send({
          topic,
          body: Buffer.from(`${g}${seq}`),
          messageGroup: `O03-${g}`,
          properties: scenarioProperties('O03', seq),
        });
      }
    }
    await until(() => seen.length >= 60, 30_000, 'all 60 consumed');
    expect(overlaps).toBe(0);
    const groups = byGroup(seen, 'O03');
    expect(groups.size).toBe(3);
    for (const seqs of groups.values()) expect(seqs).toEqual(range(20));
  });

  it('O04: a push consumer retries a failing message locally max-attempts times, dead-letters it, then goes on', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const maxAttempts = 3;
    const { topic, group } = await fifoPair('O04', maxAttempts);
    const calls: number[] = [];
    await clients.push(group, topic, 'O04', (m) => {
      const seq = seqOf(m, 'O04') as number;
      calls.push(seq);
      return seq === 2 ? ConsumeResult.FAILURE : ConsumeResult.SUCCESS;
    });
    const producer = await clients.producer([topic]);
    for (const seq of [1, 2, 3]) {
      await producer.send({
        topic,
        body: Buffer.from(`m${seq}`),
        messageGroup: 'O04-g',
        properties: scenarioProperties('O04', seq),
      });
    }
    await until(() => calls.includes(3), 30_000, 'm3 consumed');
    await sleep(AWAIT_MS);
    expect(calls).toEqual([1, ...Array(maxAttempts).fill(2), 3]);
    const dlq = await broker().store.read(`%DLQ%${group}`, 0, 0n, { maxCount: 10, maxBytes: 1 << 20 });
    const dead = dlq.kind === 'found' ? dlq.messages : [];
    expect(dead.map((m) => m.properties['cf-seq'])).toEqual(['2']);
  });

  it('refuses a FIFO message whose group is too long, and one without a group on a FIFO topic', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const { topic } = await fifoPair('O-bad');
    const producer = await clients.producer([topic]);
    const tooLong = await producer
      .send({ topic, body: Buffer.from('x'), messageGroup: 'g'.repeat(65) })
      .catch((e) => e);
    expect((tooLong as { code?: number }).code).toBe(ILLEGAL_MESSAGE_GROUP);
    const withoutGroup = await producer.send({ topic, body: Buffer.from('x') }).catch((e) => e);
    expect(withoutGroup).toBeInstanceOf(Error);
    const code = (withoutGroup as { code?: number }).code;
    // The client itself refuses a NORMAL message for a topic that accepts only FIFO, or the broker answers 40014.
    expect(code === undefined || code === MESSAGE_PROPERTY_CONFLICT_WITH_TYPE).toBe(true);
  });
});
