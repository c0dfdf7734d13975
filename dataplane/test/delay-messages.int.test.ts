import { type TempDir, tempDir } from '@rocketry/testkit';
import { BadRequestException, type MessageView, type SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecallHandle, delayedInput, SYS_TIMER_TOPIC } from '../src/messaging/timers/timer-records.js';
import type { WireStatus } from '../src/protocol/grpc/wire.js';
import { type GrpcBroker, rawClient, startBroker, unaryCall } from './support/grpc-broker.js';
import { OfficialClients } from './support/official-clients.js';
import { message } from './support/store.js';

/**
 * DELAY messages beyond the D scenarios: bad input, the configured maximum, restarts (timers and recalls survive,
 * what fell due while down is delivered at once) and retention (a timer outlives the segment that stored it).
 */
let broker: GrpcBroker | undefined;
let dir: TempDir | undefined;
const clients = new OfficialClients(() => (broker as GrpcBroker).endpoint, 1000);
afterEach(async () => {
  await clients.shutdownAll();
  await broker?.close();
  await dir?.remove();
  broker = undefined;
  dir = undefined;
});

const ILLEGAL_DELIVERY_TIME = 40012;
const MESSAGE_PROPERTY_CONFLICT_WITH_TYPE = 40014;

async function start(options: Parameters<typeof startBroker>[0] = { autoCreate: true }): Promise<GrpcBroker> {
  broker = await startBroker({ ...options, ...(dir && { dir }) });
  return broker;
}

/** Receives (and acks) until `count` messages arrived or `ms` passed; each with its arrival time. */
async function receiveAll(consumer: SimpleConsumer, count: number, ms: number) {
  const got: { message: MessageView; at: number }[] = [];
  const deadline = Date.now() + ms;
  while (got.length < count && Date.now() < deadline) {
    for (const m of await consumer.receive(16, 30_000)) {
      got.push({ message: m, at: Date.now() });
      await consumer.ack(m);
    }
  }
  return got;
}

describe('DELAY messages', () => {
  it('delivers a delivery time in the past at once, with its delivery_timestamp', async () => {
    await start();
    const topic = 'past-delay';
    const producer = await clients.producer([topic]);
    const consumer = await clients.simple('past', { [topic]: '*' });
    const requested = new Date(Date.now() - 60_000);
    const sentAt = Date.now();
    const receipt = await producer.send({ topic, body: Buffer.from('late'), deliveryTimestamp: requested });
    const [got] = await receiveAll(consumer, 1, 5000);
    expect(got?.message.messageId).toBe(receipt.messageId);
    expect((got?.at ?? Number.POSITIVE_INFINITY) - sentAt).toBeLessThan(1500);
    expect(got?.message.deliveryTimestamp?.getTime()).toBe(requested.getTime());
    // It was delivered, so a recall fails.
    await expect(producer.recallMessage(topic, receipt.recallHandle)).rejects.toThrow(/code: 40400/);
  });

  it('refuses a delivery time beyond the configured maximum with ILLEGAL_DELIVERY_TIME and accepts one within it', async () => {
    await start({ autoCreate: true, timerConfig: { maxDelayMs: 60_000 } });
    const topic = 'max-delay';
    const producer = await clients.producer([topic]);
    const refused = await producer
      .send({ topic, body: Buffer.from('x'), deliveryTimestamp: new Date(Date.now() + 120_000) })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(BadRequestException);
    expect((refused as BadRequestException).code).toBe(ILLEGAL_DELIVERY_TIME);
    const accepted = await producer.send({ topic, body: Buffer.from('y'), delay: 50_000 });
    expect(accepted.recallHandle).toBeTruthy();
  });

  it('refuses a delivery timestamp on a topic that is not a DELAY topic with MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', async () => {
    const b = await start({ autoCreate: false });
    await b.topics.put('plain-normal', { messageType: 'NORMAL', queues: 1 });
    // The official client refuses locally (the route accepts NORMAL only); the broker refuses what gets through.
    const producer = await clients.producer(['plain-normal']);
    await expect(producer.send({ topic: 'plain-normal', body: Buffer.from('x'), delay: 5000 })).rejects.toThrow();
    const client = rawClient(b.endpoint);
    for (const message_type of ['DELAY', 'NORMAL']) {
      const answer = await unaryCall<{ status: WireStatus }>(client, 'SendMessage', {
        messages: [
          {
            topic: { name: 'plain-normal' },
            body: Buffer.from('x'),
            system_properties: {
              message_id: `raw-${message_type}`,
              message_type,
              body_encoding: 'IDENTITY',
              delivery_timestamp: { seconds: Math.floor(Date.now() / 1000) + 5 },
            },
          },
        ],
      });
      expect(answer.status).toMatchObject({ code: 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE' });
    }
    client.close();
    expect(MESSAGE_PROPERTY_CONFLICT_WITH_TYPE).toBe(40014);
    expect(b.store.queueOffsets(SYS_TIMER_TOPIC, 0).max).toBe(0n);
  });

  it('answers RecallMessage with a malformed handle BAD_REQUEST and with an unknown one NOT_FOUND', async () => {
    const b = await start();
    const client = rawClient(b.endpoint);
    const bad = await unaryCall<{ status: WireStatus }>(client, 'RecallMessage', {
      topic: { name: 'any-delay' },
      recall_handle: 'not a handle',
    });
    expect(bad.status.code).toBe('BAD_REQUEST');
    const unknown = await unaryCall<{ status: WireStatus }>(client, 'RecallMessage', {
      topic: { name: 'any-delay' },
      recall_handle: `1.${(Date.now() + 60_000).toString(36)}.0`,
    });
    expect(unknown.status.code).toBe('NOT_FOUND');
    client.close();
  });

  it('keeps timers and recalls across a restart and delivers what fell due while the broker was down', async () => {
    dir = await tempDir();
    let b = await start();
    const topic = 'restart-delay';
    let producer = await clients.producer([topic]);
    await clients.simple('restart', { [topic]: '*' }); // the group starts at the topic's end
    const dueSoon = await producer.send({ topic, body: Buffer.from('due while down'), delay: 1500, tag: 'A' });
    const dueLater = await producer.send({ topic, body: Buffer.from('due after restart'), delay: 6000 });
    const recalled = await producer.send({ topic, body: Buffer.from('recalled'), delay: 3000 });
    await producer.recallMessage(topic, recalled.recallHandle);
    const recalledLater = await producer.send({ topic, body: Buffer.from('recalled after restart'), delay: 6000 });
    await clients.shutdownAll();
    await b.close(true);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // the first one falls due while the broker is down

    b = await start();
    const restartedAt = Date.now();
    producer = await clients.producer([topic]);
    const consumer = await clients.simple('restart', { [topic]: '*' });
    const sentAfter = await producer.send({ topic, body: Buffer.from('sent after restart'), delay: 4000 });
    // Still pending: recallable with the handle from before the restart; the recall from before still holds.
    expect((await producer.recallMessage(topic, recalledLater.recallHandle)).messageId).toBe(recalledLater.messageId);
    await expect(producer.recallMessage(topic, recalled.recallHandle)).rejects.toThrow(/code: 40400/);
    const got = await receiveAll(consumer, 3, 12_000);
    const byId = new Map(got.map((g) => [g.message.messageId, g]));
    expect(byId.get(dueSoon.messageId)?.at).toBeLessThan(restartedAt + 2000);
    expect(byId.get(dueSoon.messageId)?.message.tag).toBe('A');
    expect(byId.has(dueLater.messageId)).toBe(true);
    expect(byId.has(recalled.messageId)).toBe(false);
    expect(byId.has(recalledLater.messageId)).toBe(false);
    expect(byId.has(sentAfter.messageId)).toBe(true);
    expect(got).toHaveLength(3);
    expect(b.server.timers.pending).toBe(0);
  });

  it('indexes a timer record the timer service was not told about (a gap scan) and fires it', async () => {
    const b = await start({ autoCreate: true, timerConfig: { checkpointIntervalMs: 200 } });
    const topic = 'gap-delay';
    await b.topics.put(topic, { messageType: 'DELAY', queues: 1 });
    const consumer = await clients.simple('gap', { [topic]: '*' });
    const input = message(topic, 0, 1, { flags: 3 });
    // Stored straight into the timer topic, as a send whose indexing failed would leave it.
    await b.store.appendAll([delayedInput(input, Date.now() + 1500, { kind: 'schedule' })]);
    const got = await receiveAll(consumer, 1, 8000);
    expect(got.map((g) => g.message.messageId)).toEqual([input.messageId]);
    expect(b.server.timers.pending).toBe(0);
  });

  it('keeps a timer alive when retention deletes the segment that stored it', async () => {
    const b = await start({
      autoCreate: true,
      store: { retention: { retentionMs: 1500, maxDiskUsedRatio: 1 }, retentionCheckIntervalMs: 300 },
    });
    const topic = 'retained-delay';
    const producer = await clients.producer([topic]);
    const consumer = await clients.simple('retained', { [topic]: '*' });
    const kept = await producer.send({
      topic,
      body: Buffer.from('outlives its segment'),
      delay: 9000,
      keys: ['k1'],
      properties: new Map([['p', 'v']]),
    });
    const recallable = await producer.send({ topic, body: Buffer.from('recalled after the move'), delay: 9000 });
    const origin = decodeRecallHandle(kept.recallHandle)?.origin as number;
    // Roll the segment that holds the timer records, then let retention take it (and the next ones).
    for (let n = 0; n < 70; n++) await b.store.append(message('filler', 0, n, { body: Buffer.alloc(20_000) }));
    const deadline = Date.now() + 6000;
    while (b.store.minOffset <= BigInt(origin) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(b.store.minOffset).toBeGreaterThan(BigInt(origin)); // the original record is gone
    const recall = await producer.recallMessage(topic, recallable.recallHandle);
    expect(recall.messageId).toBe(recallable.messageId);

    const got = await receiveAll(consumer, 1, 15_000);
    expect(got.map((g) => g.message.messageId)).toEqual([kept.messageId]);
    const m = got[0]?.message as MessageView;
    expect(m.body.toString()).toBe('outlives its segment');
    expect(m.keys).toEqual(['k1']);
    expect(m.properties.get('p')).toBe('v');
    expect(await receiveAll(consumer, 1, 2000)).toEqual([]);
  });
});
