import { randomBytes } from 'node:crypto';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { NotFoundException, PayloadTooLargeException, Producer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { Code } from '../src/lib/errors.js';
import { DEFAULT_GROUP_CONFIG } from '../src/messaging/groups.js';
import { decodeFlags } from '../src/messaging/message-flags.js';
import { Topics } from '../src/messaging/topics.js';
import type { ReadResult } from '../src/storage/message-store.js';
import type { StoredMessage } from '../src/storage/record-codec.js';
import {
  clientMetadata,
  type GrpcBroker,
  quietClientLogger,
  rawClient,
  startBroker,
  unaryCall,
} from './support/grpc-broker.js';

let broker: GrpcBroker | undefined;
let producer: Producer | undefined;
afterEach(async () => {
  await producer?.shutdown();
  producer = undefined;
  await broker?.close();
  broker = undefined;
});

type WireStatus = { code: string; message: string };
type Reply = { status?: WireStatus; command?: string; settings?: Record<string, unknown> };

const suffix = () => randomBytes(4).toString('hex');
const newProducer = (endpoint: string, topics?: string[]) =>
  new Producer({ endpoints: endpoint, namespace: '', logger: quietClientLogger, ...(topics && { topics }) });
const readAll = (b: GrpcBroker, topic: string, queueId = 0): Promise<ReadResult> =>
  b.store.read(topic, queueId, 0n, { maxCount: 1000, maxBytes: 64 << 20 });

/** Every stored message of the topic, in send order (the broker spreads sends over all queues). */
async function readTopic(b: GrpcBroker, topic: string, queues: number): Promise<StoredMessage[]> {
  const all: StoredMessage[] = [];
  for (let q = 0; q < queues; q++) {
    const read = await readAll(b, topic, q);
    if (read.kind === 'found') all.push(...read.messages);
  }
  return all.sort((a, b) => Number(a.physicalOffset - b.physicalOffset));
}

describe('gRPC producer path', () => {
  it('stores messages from the official producer byte-identical with tag, keys and user properties', async () => {
    broker = await startBroker({ autoCreate: false });
    const topic = `orders-${suffix()}`;
    await broker.topics.put(topic, { queues: 4, messageType: 'NORMAL' });
    producer = newProducer(broker.endpoint, [topic]);
    await producer.startup();
    // The Settings reply reached the client: it adopted the broker's body limit.
    expect(producer.publishingSettings.maxBodySizeBytes).toBe(broker.store.config.limits.maxBodyBytes);

    const bodies = [Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(10_000), Buffer.from('x')];
    const properties = new Map([
      ['plain', 'value'],
      ['unicode', 'grüße 🚀'],
      ['spaces', '  padded  '],
    ]);
    const receipts = [];
    for (const [n, body] of bodies.entries()) {
      receipts.push(await producer.send({ topic, tag: `tag-${n}`, keys: [`k${n}`, `second-${n}`], body, properties }));
    }

    const stored = await readTopic(broker, topic, 4);
    expect(stored).toHaveLength(3);
    // The client addresses queue 0 only; the broker treats that as a hint and rotates over the topic's queues.
    expect(stored.map((m) => m.queueId)).toEqual([0, 1, 2]);
    for (const [n, message] of stored.entries()) {
      expect(Buffer.compare(message.body, bodies[n] as Buffer)).toBe(0);
      expect(message).toMatchObject({
        topic,
        tag: `tag-${n}`,
        keys: [`k${n}`, `second-${n}`],
        properties: Object.fromEntries(properties),
        messageId: receipts[n]?.messageId,
        queueOffset: 0n,
      });
      expect(Math.abs(message.bornTimestamp - Date.now())).toBeLessThan(60_000);
      expect(decodeFlags(message.flags)).toEqual({ type: 'NORMAL', gzipBody: false });
      expect(receipts[n]?.offset).toBe(0);
    }
  });

  it('auto-creates an unknown topic on first send with 8 queues accepting every type, and persists it', async () => {
    broker = await startBroker({ autoCreate: true });
    const topic = `auto-${suffix()}`;
    producer = newProducer(broker.endpoint);
    await producer.startup();
    const receipt = await producer.send({ topic, body: Buffer.from('hello') });

    expect(receipt.messageId).toMatch(/^[0-9A-F]{34}$/);
    expect(receipt.messageQueue.acceptMessageTypesList).toEqual([1, 2, 3, 4]);
    const reopened = await Topics.open(broker.dir.path, { autoCreate: false });
    expect(reopened.get(topic)).toEqual({ queues: 8, messageType: 'MIXED' });
    const read = await readAll(broker, topic);
    expect(read.kind === 'found' && read.messages.map((m) => m.body.toString())).toEqual(['hello']);
  });

  it('rejects a send to an unknown topic with NotFoundException when auto-create is off', async () => {
    broker = await startBroker({ autoCreate: false });
    producer = newProducer(broker.endpoint);
    await producer.startup();
    const sent = producer.send({ topic: `missing-${suffix()}`, body: Buffer.from('x') });
    await expect(sent).rejects.toBeInstanceOf(NotFoundException);
    await expect(sent).rejects.toMatchObject({ code: Code.TOPIC_NOT_FOUND });
  });

  it('rejects a body over the broker limit with MESSAGE_BODY_TOO_LARGE and stores nothing', async () => {
    broker = await startBroker({ autoCreate: true });
    const topic = `big-${suffix()}`;
    // No declared topics: the first send leaves before the Settings reply lowers the client's own 4 MiB limit.
    producer = newProducer(broker.endpoint);
    await producer.startup();
    const sent = producer.send({ topic, body: Buffer.alloc(broker.store.config.limits.maxBodyBytes + 1) });
    await expect(sent).rejects.toBeInstanceOf(PayloadTooLargeException);
    await expect(sent).rejects.toMatchObject({ code: Code.MESSAGE_BODY_TOO_LARGE });
    expect((await readAll(broker, topic)).kind).toBe('no-new-message');
  });
});

describe('gRPC SendMessage with several messages', () => {
  it('stores a batch in request order in one queue and answers one entry per message, failing only the bad one', async () => {
    broker = await startBroker({ autoCreate: false });
    const topic = `batch-${suffix()}`;
    await broker.topics.put(topic, { queues: 2, messageType: 'NORMAL' });
    const client = rawClient(broker.endpoint);
    const wire = (n: number, tag = `t${n}`) => ({
      topic: { name: topic },
      body: Buffer.from(`body-${n}`),
      user_properties: { n: String(n) },
      system_properties: {
        message_id: `ID-${n}`,
        tag,
        keys: [`key-${n}`],
        message_type: 'NORMAL',
        queue_id: 1,
        born_timestamp: { seconds: 1_700_000_000, nanos: n * 1_000_000 },
      },
    });
    // The raw client decodes with the server's loader options: enums arrive as their names.
    const response = await unaryCall<{
      status: WireStatus;
      entries: { status: WireStatus; message_id: string; offset: string }[];
    }>(client, 'SendMessage', { messages: [wire(0), wire(1), wire(2, 'bad|tag'), wire(3)] });
    client.close();

    expect(response.entries.map((e) => [e.status.code, e.message_id])).toEqual([
      ['OK', 'ID-0'],
      ['OK', 'ID-1'],
      ['ILLEGAL_MESSAGE_TAG', 'ID-2'],
      ['OK', 'ID-3'],
    ]);
    expect(response.status.code).toBe('ILLEGAL_MESSAGE_TAG');
    const stored = await readTopic(broker, topic, 2);
    // One queue for the whole request (its records lie back to back, so a consumer reads them in one go).
    expect(stored.map((m) => [m.messageId, m.body.toString(), m.properties.n, m.bornTimestamp, m.queueId])).toEqual([
      ['ID-0', 'body-0', '0', 1_700_000_000_000, 0],
      ['ID-1', 'body-1', '1', 1_700_000_000_001, 0],
      ['ID-3', 'body-3', '3', 1_700_000_000_003, 0],
    ]);
    expect(response.entries.filter((e) => e.status.code === 'OK').map((e) => e.offset)).toEqual(['0', '1', '2']);
    expect(stored.map((m) => m.physicalOffset + BigInt(m.size)).slice(0, 2)).toEqual(
      stored.slice(1).map((m) => m.physicalOffset),
    );
  });
});

describe('gRPC SendMessage on a draining broker', () => {
  it('refuses sends with FORBIDDEN while writes are off, and takes them again after', async () => {
    broker = await startBroker({ autoCreate: true });
    const client = rawClient(broker.endpoint);
    const send = async () => {
      const response = await unaryCall<{ entries: { status: WireStatus }[] }>(client, 'SendMessage', {
        messages: [
          {
            topic: { name: 'drain' },
            body: Buffer.from('x'),
            system_properties: { message_id: `ID-${suffix()}`, message_type: 'NORMAL', queue_id: 0 },
          },
        ],
      });
      return response.entries.map((e) => e.status.code);
    };
    await broker.permission.set(false);
    expect(await send()).toEqual(['FORBIDDEN']);
    await broker.permission.set(true);
    expect(await send()).toEqual(['OK']);
    client.close();
  });
});

describe('gRPC SendMessage type and queue checks', () => {
  it('rejects a type the topic does not accept or properties of another type with 40014, an unknown queue with 40000', async () => {
    broker = await startBroker({ autoCreate: true });
    await broker.topics.put('normal-only', { queues: 1, messageType: 'NORMAL' });
    const client = rawClient(broker.endpoint);
    const send = async (topic: string, sys: Record<string, unknown>) =>
      (
        await unaryCall<{ entries: { status: WireStatus }[] }>(client, 'SendMessage', {
          messages: [
            { topic: { name: topic }, body: Buffer.from('x'), system_properties: { message_id: 'ID', ...sys } },
          ],
        })
      ).entries.map((e) => e.status.code);
    expect(await send('normal-only', { message_type: 'FIFO', message_group: 'g' })).toEqual([
      'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE',
    ]);
    expect(await send(`mixed-${suffix()}`, { message_type: 'NORMAL', message_group: 'g' })).toEqual([
      'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE',
    ]);
    expect(await send(`mixed-${suffix()}`, { message_type: 'FIFO', message_group: 'g' })).toEqual(['OK']);
    expect(await send('normal-only', { message_type: 'NORMAL', queue_id: 1 })).toEqual(['BAD_REQUEST']);
    client.close();
    expect((await readAll(broker, 'normal-only')).kind).toBe('no-new-message');
  });
});

describe('gRPC SendMessage bad input', () => {
  it('answers each bad message with its proto code, stores none of them, and keeps serving', async () => {
    broker = await startBroker({ autoCreate: false });
    await broker.topics.put('strict', { queues: 1, messageType: 'NORMAL' });
    const client = rawClient(broker.endpoint);
    const send = async (topic: string, extra: Record<string, unknown> = {}, body: Buffer = Buffer.from('x')) =>
      (
        await unaryCall<{ entries: { status: WireStatus }[] }>(client, 'SendMessage', {
          messages: [
            {
              topic: { name: topic },
              body,
              system_properties: { message_id: `ID-${suffix()}`, message_type: 'NORMAL', queue_id: 0 },
              ...extra,
            },
          ],
        })
      ).entries.map((e) => e.status.code);
    const many = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`p${i}`, 'v']));
    const cases: [string, Record<string, unknown>, Buffer | undefined, string][] = [
      ['cf illegal topic!', {}, undefined, 'ILLEGAL_TOPIC'],
      ['no-such-topic', {}, undefined, 'TOPIC_NOT_FOUND'],
      ['strict', {}, Buffer.alloc(broker.store.config.limits.maxBodyBytes + 1), 'MESSAGE_BODY_TOO_LARGE'],
      ['strict', { user_properties: many }, undefined, 'MESSAGE_PROPERTIES_TOO_LARGE'],
      ['strict', { user_properties: { big: 'x'.repeat(20_000) } }, undefined, 'ILLEGAL_MESSAGE_PROPERTY_KEY'],
      ['strict', { user_properties: { '\u0001bornHost': 'spoofed' } }, undefined, 'ILLEGAL_MESSAGE_PROPERTY_KEY'],
    ];
    for (const [topic, extra, body, code] of cases) {
      expect(await send(topic, extra, body), `${topic} ${JSON.stringify(extra).slice(0, 60)}`).toEqual([code]);
    }
    expect((await readAll(broker, 'strict')).kind).toBe('no-new-message');
    expect(await send('strict')).toEqual(['OK']);
    client.close();
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('gRPC Telemetry settings handshake', () => {
  const open = (b: GrpcBroker) => {
    const client = rawClient(b.endpoint);
    const call = (client.Telemetry as (md: unknown) => ClientDuplexStream<unknown, Reply>)(clientMetadata());
    const replies: Reply[] = [];
    const finished = new Promise<{ code: number }>((resolve) => call.on('status', resolve));
    call.on('data', (reply: Reply) => replies.push(reply));
    return { client, call, replies, finished };
  };

  it('answers a producer with publishing limits and an exponential backoff, repeats it, and ends with OK', async () => {
    broker = await startBroker({ autoCreate: false, settingsRepeatMs: 100 });
    const { client, call, replies, finished } = open(broker);
    call.write({
      settings: { client_type: 'PRODUCER', publishing: { topics: [{ name: 't1' }], validate_message_type: true } },
    });
    await until(() => replies.length >= 2);
    expect(replies[1]).toEqual(replies[0]);
    expect(replies[0]).toMatchObject({
      status: { code: 'OK' },
      settings: {
        client_type: 'PRODUCER',
        backoff_policy: { max_attempts: 3, exponential_backoff: { initial: { seconds: '1' }, multiplier: 2 } },
        publishing: { topics: [{ name: 't1' }], max_body_size: broker.store.config.limits.maxBodyBytes },
      },
    });
    call.end();
    expect((await finished).code).toBe(0);
    client.close();
  });

  it('answers a push consumer with a batch size above zero and a non-FIFO subscription', async () => {
    broker = await startBroker({ autoCreate: false, settingsRepeatMs: 60_000 });
    await broker.groups.put('g1', DEFAULT_GROUP_CONFIG);
    const { client, call, replies } = open(broker);
    call.write({ settings: { client_type: 'PUSH_CONSUMER', subscription: { group: { name: 'g1' } } } });
    await until(() => replies.length >= 1);
    expect(replies[0]?.settings).toMatchObject({
      subscription: { group: { name: 'g1' }, fifo: false, receive_batch_size: 32 },
      backoff_policy: { max_attempts: 17, exponential_backoff: { max: { seconds: '10' } } },
    });
    call.end();
    client.close();
  });

  it('rejects an unknown client type in-band with a status-only command and keeps the stream open', async () => {
    broker = await startBroker({ autoCreate: false, settingsRepeatMs: 60_000 });
    const { client, call, replies } = open(broker);
    call.write({ settings: { client_type: 'CLIENT_TYPE_UNSPECIFIED' } });
    await until(() => replies.length >= 1);
    expect(replies[0]?.status?.code).toBe('UNRECOGNIZED_CLIENT_TYPE');
    expect(replies[0]?.settings).toBeUndefined();
    expect(call.writable).toBe(true);
    call.end();
    client.close();
  });
});

describe('gRPC routes and RPCs still to come', () => {
  it('routes a topic to queues 0..n-1 of this broker, read-write, at its one advertised address', async () => {
    broker = await startBroker({ autoCreate: false });
    await broker.topics.put('routed', { queues: 3, messageType: 'FIFO' });
    const client = rawClient(broker.endpoint);
    const response = await unaryCall<{ status: WireStatus; message_queues: Record<string, unknown>[] }>(
      client,
      'QueryRoute',
      { topic: { name: 'routed' } },
    );
    client.close();
    expect(response.status.code).toBe('OK');
    expect(response.message_queues.map((q) => q.id ?? 0)).toEqual([0, 1, 2]);
    for (const queue of response.message_queues) {
      expect(queue).toMatchObject({
        topic: { name: 'routed' },
        permission: 'READ_WRITE',
        accept_message_types: ['FIFO'],
        broker: { endpoints: { scheme: 'IPv4', addresses: [{ host: '127.0.0.1', port: broker.server.port }] } },
      });
    }
  });

  it('answers RPCs of message types still to come in-band with NOT_IMPLEMENTED', async () => {
    broker = await startBroker({ autoCreate: false });
    const client = rawClient(broker.endpoint);
    for (const rpc of ['SyncLiteSubscription']) {
      const answer = await unaryCall<{ status: WireStatus }>(client, rpc, {});
      expect(answer.status.code).toBe('NOT_IMPLEMENTED');
    }
    client.close();
  });
});
