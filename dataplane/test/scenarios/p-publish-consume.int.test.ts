import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { MessageView } from 'rocketmq-client-nodejs';
import { describe, it } from 'vitest';
import {
  AWAIT_MS,
  clientsOf,
  fileBroker,
  groupName,
  REQUEST_TIMEOUT_MS,
  receiveCount,
  receiveOwn,
  scenarioProperties,
  seqOf,
  sleep,
  timed,
  topicName,
} from './scenario-support.js';

/** SCENARIOS.md group P: publish and consume with the simple consumer. */
const broker = fileBroker();
const endpoint = () => broker().endpoint;

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe.concurrent('P: publish and consume with the official simple consumer', () => {
  it('P01: 100 send receipts have unique ids and offsets, and each consumed message carries its receipt id', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('P01');
    const consumer = await clients.simple(groupName('P01'), { [topic]: '*' });
    const producer = await clients.producer([topic]);
    const receipts = [];
    for (let seq = 0; seq < 100; seq++) {
      receipts.push(
        await producer.send({ topic, body: Buffer.from(`p01-${seq}`), properties: scenarioProperties('P01', seq) }),
      );
    }
    const ids = receipts.map((r) => r.messageId);
    expect(ids.every((id) => id !== '')).toBe(true);
    expect(new Set(ids).size).toBe(100);
    expect(receipts.every((r) => typeof r.offset === 'number' && Number.isInteger(r.offset))).toBe(true);

    const consumed = await receiveCount(consumer, 'P01', 100);
    expect(consumed).toHaveLength(100);
    for (const m of consumed) expect(m.messageId).toBe(ids[seqOf(m, 'P01') as number]);
  });

  it('P02: 1000 tagged messages from 16 concurrent senders arrive exactly once in batches of at most 32', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const total = Number(process.env.CONFORMANCE_BULK_COUNT ?? 1000);
    const topic = topicName('P02');
    const consumer = await clients.simple(groupName('P02'), { [topic]: 'A' });
    const producer = await clients.producer([topic]);
    let next = 0;
    const sender = async () => {
      for (let seq = next++; seq < total; seq = next++) {
        await producer.send({
          topic,
          tag: 'A',
          body: Buffer.from(`p02-${seq}`),
          properties: scenarioProperties('P02', seq),
        });
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));

    const batches: number[] = [];
    const got = await receiveCount(consumer, 'P02', total, {
      max: 32,
      timeoutMs: 40_000,
      onBatch: (n) => batches.push(n),
    });
    expect(Math.max(...batches)).toBeLessThanOrEqual(32);
    const seqs = got.map((m) => seqOf(m, 'P02') as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(await receiveOwn(consumer, 'P02', { max: 32 })).toEqual([]);
  });

  it('P03: tag, keys in order, every property, the binary body and born time and host round-trip unchanged', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('P03');
    const consumer = await clients.simple(groupName('P03'), { [topic]: '*' });
    const producer = await clients.producer([topic]);
    const properties = scenarioProperties('P03', 0, {
      ascii: 'plain value',
      unicode: 'grüße, 日本語 and 🚀🎉',
      padded: '  leading and trailing  ',
    });
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const sentAt = Date.now();
    const receipt = await producer.send({ topic, tag: 'TagP03', keys: ['key-one', 'key-two'], body, properties });

    const [m] = await receiveCount(consumer, 'P03', 1);
    expect(m).toBeDefined();
    const got = m as MessageView;
    expect(got.topic).toBe(topic);
    expect(got.messageId).toBe(receipt.messageId);
    expect(got.tag).toBe('TagP03');
    expect(got.keys).toEqual(['key-one', 'key-two']);
    expect(Object.fromEntries(got.properties)).toEqual(Object.fromEntries(properties));
    expect(Buffer.compare(got.body, body)).toBe(0);
    expect(got.corrupted).toBeFalsy(); // the client leaves it undefined unless the digest mismatches
    expect(Math.abs((got.bornTimestamp?.getTime() ?? 0) - sentAt)).toBeLessThan(60_000);
    expect(got.bornHost).not.toBe('');
    if (got.bornHost !== hostname()) console.info(`P03: born host ${got.bornHost} differs from ${hostname()}`);
    expect(got.messageGroup ?? '').toBe(''); // the protobuf getter answers '' for an unset optional string
    expect(got.deliveryAttempt).toBe(1);
    expect(got.receiptHandle).not.toBe('');
  });

  it('P04: a 3 MiB random body arrives with the same MD5', async ({ expect, onTestFinished }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const size = Number(process.env.CONFORMANCE_LARGE_BODY_BYTES ?? 3 * 1024 * 1024);
    const topic = topicName('P04');
    const consumer = await clients.simple(groupName('P04'), { [topic]: '*' });
    const producer = await clients.producer([topic]);
    const body = randomBytes(size);
    await producer.send({ topic, body, properties: scenarioProperties('P04', 0) });
    const [m] = await receiveCount(consumer, 'P04', 1);
    expect(m?.body.length).toBe(size);
    expect(md5(m?.body ?? Buffer.alloc(0))).toBe(md5(body));
  });

  it('P05: a receive on a tag nobody sends holds for the long poll and returns empty without error', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('P05');
    const consumer = await clients.simple(groupName('P05'), { [topic]: `nobody-sends-this` });
    const { ms, value } = await timed(() => receiveOwn(consumer, 'P05'));
    expect(value).toEqual([]);
    expect(ms).toBeGreaterThanOrEqual(0.5 * AWAIT_MS);
    expect(ms).toBeLessThanOrEqual(AWAIT_MS + REQUEST_TIMEOUT_MS);
  });

  it('P06: a pending long poll wakes when a message arrives, well before its end', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const awaitMs = 4000; // longer than AWAIT_MS: the wake-up must be told apart from the poll's end
    const topic = topicName('P06');
    const consumer = await clients.simple(groupName('P06'), { [topic]: '*' }, awaitMs);
    const producer = await clients.producer([topic]);
    const pending = timed(() => receiveOwn(consumer, 'P06'));
    await sleep(1000);
    const receipt = await producer.send({ topic, body: Buffer.from('p06'), properties: scenarioProperties('P06', 0) });
    const { ms, value } = await pending;
    expect(value.map((m) => m.messageId)).toEqual([receipt.messageId]);
    expect(ms).toBeLessThan(0.8 * awaitMs);
    await consumer.ack(value[0] as MessageView);
  });

  it('P07: two groups on one topic each receive all 20 messages', async ({ expect, onTestFinished }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('P07');
    const first = await clients.simple(groupName('P07'), { [topic]: '*' });
    const second = await clients.simple(groupName('P07'), { [topic]: '*' });
    const producer = await clients.producer([topic]);
    for (let seq = 0; seq < 20; seq++) {
      await producer.send({ topic, body: Buffer.from(`p07-${seq}`), properties: scenarioProperties('P07', seq) });
    }
    const all = Array.from({ length: 20 }, (_, i) => i);
    for (const consumer of [first, second]) {
      const got = await receiveCount(consumer, 'P07', 20);
      expect(got.map((m) => seqOf(m, 'P07')).sort((a, b) => (a as number) - (b as number))).toEqual(all);
    }
  });
});
