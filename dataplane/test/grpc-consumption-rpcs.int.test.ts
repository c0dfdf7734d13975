import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumptionLimits } from '../src/messaging/pop/consumption.js';
import { clientMetadata, type GrpcBroker, rawClient, startBroker, unaryCall } from './support/grpc-broker.js';
import { message } from './support/store.js';

type Status = { code: string; message: string };
type Delivered = {
  topic: { name: string };
  system_properties: {
    message_id: string;
    receipt_handle: string;
    delivery_attempt: number;
    dead_letter_queue?: { topic: string; message_id: string };
  };
};
type Frame = { status?: Status; message?: Delivered };

let broker: GrpcBroker | undefined;
let client: ReturnType<typeof rawClient> | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await broker?.close();
  broker = undefined;
});

const suffix = () => randomBytes(4).toString('hex');
const duration = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });

async function setUp(options: { autoCreate?: boolean; limits?: Partial<ConsumptionLimits> } = {}) {
  broker = await startBroker({
    autoCreate: options.autoCreate ?? true,
    ...(options.limits && { consumptionLimits: options.limits }),
  });
  client = rawClient(broker.endpoint);
  const topic = `rpc-${suffix()}`;
  const group = `g-${suffix()}`;
  await broker.topics.put(topic, { messageType: 'NORMAL', queues: 2 });
  return { b: broker, c: client, topic, group };
}

/** Frames of one ReceiveMessage call. */
function receive(
  c: ReturnType<typeof rawClient>,
  request: Record<string, unknown>,
  clientId = 'test-client',
): Promise<Frame[]> {
  const call = (c.ReceiveMessage as (req: unknown, md: unknown) => ClientReadableStream<Frame>)(
    request,
    clientMetadata(clientId),
  );
  const frames: Frame[] = [];
  call.on('data', (f: Frame) => frames.push(f));
  return new Promise((resolve, reject) => {
    call.on('error', reject);
    call.on('status', () => resolve(frames));
  });
}

const receiveRequest = (group: string, topic: string, extra: Record<string, unknown> = {}) => ({
  group: { name: group },
  message_queue: { topic: { name: topic }, id: 0 },
  filter_expression: { type: 'TAG', expression: '*' },
  batch_size: 32,
  invisible_duration: duration(10_000),
  long_polling_timeout: duration(1000),
  ...extra,
});

const messagesOf = (frames: Frame[]) => frames.flatMap((f) => (f.message ? [f.message] : []));
const statusOf = (frames: Frame[]) => frames.find((f) => f.status)?.status?.code;

describe('pop consumption RPCs from a raw gRPC client', () => {
  it('rejects bad receives with the proto codes in one status frame and keeps serving', async () => {
    const { b, c, topic, group } = await setUp({ autoCreate: false });
    await b.groups.put(group, defaultGroup());
    const bad: [Record<string, unknown>, string][] = [
      [{ group: { name: 'bad group!' } }, 'ILLEGAL_CONSUMER_GROUP'],
      [{ message_queue: { topic: { name: 'no-such-topic' }, id: 0 } }, 'TOPIC_NOT_FOUND'],
      [{ message_queue: { topic: { name: 'bad topic!' }, id: 0 } }, 'ILLEGAL_TOPIC'],
      [{ filter_expression: { type: 'SQL', expression: 'amount >>> (' } }, 'ILLEGAL_FILTER_EXPRESSION'],
      [{ invisible_duration: duration(7 * 24 * 3600_000) }, 'ILLEGAL_INVISIBLE_TIME'],
      [{ invisible_duration: duration(100) }, 'ILLEGAL_INVISIBLE_TIME'],
      [{ invisible_duration: undefined }, 'ILLEGAL_INVISIBLE_TIME'],
      [{ group: { name: 'unknown-group' } }, 'CONSUMER_GROUP_NOT_FOUND'],
    ];
    for (const [extra, code] of bad) {
      const frames = await receive(c, receiveRequest(group, topic, extra));
      expect(
        frames.map((f) => f.status?.code),
        JSON.stringify(extra),
      ).toEqual([code]);
    }
    await receive(c, receiveRequest(group, topic, { long_polling_timeout: duration(0) })); // subscribes at the end
    await b.store.append(message(topic, 0, 1));
    const ok = await receive(c, receiveRequest(group, topic));
    expect(statusOf(ok)).toBe('OK');
    expect(messagesOf(ok)).toHaveLength(1);
  });

  it('answers acks and invisibility changes with INVALID_RECEIPT_HANDLE for malformed, expired and stale handles', async () => {
    const { b, c, topic, group } = await setUp();
    await receive(c, receiveRequest(group, topic, { long_polling_timeout: duration(0) })); // subscribes at the end
    await b.store.append(message(topic, 0, 1));
    const [m] = messagesOf(await receive(c, receiveRequest(group, topic, { invisible_duration: duration(1000) })));
    const handle = m?.system_properties.receipt_handle as string;
    const ack = (receipt_handle: string) =>
      unaryCall<{ status: Status }>(c, 'AckMessage', {
        group: { name: group },
        topic: { name: topic },
        entries: [{ message_id: m?.system_properties.message_id, receipt_handle }],
      });
    expect((await ack('not-a-handle')).status.code).toBe('INVALID_RECEIPT_HANDLE');
    expect((await ack(`${handle.slice(0, -2)}AA`)).status.code).toBe('INVALID_RECEIPT_HANDLE');
    const cid = (receipt_handle: string, ms: number) =>
      unaryCall<{ status: Status; receipt_handle: string }>(c, 'ChangeInvisibleDuration', {
        group: { name: group },
        topic: { name: topic },
        receipt_handle,
        invisible_duration: duration(ms),
      });
    expect((await cid(handle, 13 * 3600_000)).status.code).toBe('ILLEGAL_INVISIBLE_TIME');
    await sleep(1200);
    expect((await ack(handle)).status.code).toBe('INVALID_RECEIPT_HANDLE'); // expired

    const [again] = messagesOf(await receive(c, receiveRequest(group, topic)));
    expect(again?.system_properties.delivery_attempt).toBe(2);
    const changed = await cid(again?.system_properties.receipt_handle as string, 30_000);
    expect(changed.status.code).toBe('OK');
    expect(changed.receipt_handle).not.toBe(again?.system_properties.receipt_handle);
    expect((await ack(again?.system_properties.receipt_handle as string)).status.code).toBe('INVALID_RECEIPT_HANDLE');
    expect((await ack(changed.receipt_handle)).status.code).toBe('OK');
    const empty = await unaryCall<{ status: Status }>(c, 'AckMessage', {
      group: { name: group },
      topic: { name: topic },
    });
    expect(empty.status.code).toBe('BAD_REQUEST');
  });

  it('gives a retried push poll with the same attempt id the same messages and handles', async () => {
    const { b, c, topic, group } = await setUp();
    const push = (attempt_id: string) =>
      receive(
        c,
        receiveRequest(group, topic, { auto_renew: true, invisible_duration: undefined, attempt_id }),
        'push-client',
      );
    await push('warm-up');
    await b.store.appendAll([message(topic, 0, 1), message(topic, 1, 2)]);
    const first = messagesOf(await push('attempt-1'));
    expect(first).toHaveLength(2);
    const retried = messagesOf(await push('attempt-1'));
    expect(retried.map((m) => m.system_properties.receipt_handle)).toEqual(
      first.map((m) => m.system_properties.receipt_handle),
    );
    expect(messagesOf(await push('attempt-2'))).toEqual([]);
  });

  it('answers TOO_MANY_REQUESTS beyond the broker maximum of held receives', async () => {
    const { c, topic, group } = await setUp({ limits: { maxPendingReceives: 1 } });
    const held = receive(c, receiveRequest(group, topic, { long_polling_timeout: duration(3000) }));
    await sleep(300);
    expect(statusOf(await receive(c, receiveRequest(group, topic)))).toBe('TOO_MANY_REQUESTS');
    expect(statusOf(await held)).toBe('MESSAGE_NOT_FOUND');
    expect(statusOf(await receive(c, receiveRequest(group, topic, { long_polling_timeout: duration(0) })))).toBe(
      'MESSAGE_NOT_FOUND',
    );
  });

  it('dead-letters after max delivery attempts and on ForwardMessageToDeadLetterQueue, keeping id and origin', async () => {
    const { b, c, topic, group } = await setUp();
    await b.groups.put(group, { ...defaultGroup(), maxDeliveryAttempts: 2 });
    await receive(c, receiveRequest(group, topic, { long_polling_timeout: duration(0) }));
    await b.store.appendAll([message(topic, 0, 1), message(topic, 1, 2)]);
    const short = { invisible_duration: duration(1000), batch_size: 1 };
    const [m1] = messagesOf(await receive(c, receiveRequest(group, topic, short)));
    const forwarded = await unaryCall<{ status: Status }>(c, 'ForwardMessageToDeadLetterQueue', {
      group: { name: group },
      topic: { name: topic },
      receipt_handle: m1?.system_properties.receipt_handle,
      message_id: m1?.system_properties.message_id,
      delivery_attempt: 3,
      max_delivery_attempts: 3,
    });
    expect(forwarded.status.code).toBe('OK');
    const [m2] = messagesOf(await receive(c, receiveRequest(group, topic, short)));
    expect(m2?.system_properties.delivery_attempt).toBe(1);
    await sleep(1100);
    const [m2again] = messagesOf(await receive(c, receiveRequest(group, topic, short)));
    expect(m2again?.system_properties.delivery_attempt).toBe(2);
    await sleep(1100);
    // A third delivery would exceed the maximum: it goes to the dead-letter topic instead.
    expect(messagesOf(await receive(c, receiveRequest(group, topic, short)))).toEqual([]);

    const dlq = `%DLQ%${group}`;
    const reader = `dlq-reader-${suffix()}`;
    await b.groups.put(reader, defaultGroup());
    await b.server.consumption.resetOffsets(reader, dlq, async () => 0n);
    const dead = messagesOf(await receive(c, receiveRequest(reader, dlq)));
    expect(
      dead.map((d) => [d.topic.name, d.system_properties.message_id, d.system_properties.dead_letter_queue]),
    ).toEqual(
      [m1, m2].map((m) => [
        dlq,
        m?.system_properties.message_id,
        { topic, message_id: m?.system_properties.message_id },
      ]),
    );
  });
});

describe('filter scans within the deadline', () => {
  it('answers a receive whose filter rejects thousands of messages before the client deadline', async () => {
    const { b, c, topic, group } = await setUp();
    await receive(c, receiveRequest(group, topic, { long_polling_timeout: duration(0) }));
    await b.store.appendAll(
      Array.from({ length: 8000 }, (_, n) => message(topic, n % 2, n, { properties: { a: 'y' } })),
    );
    const started = Date.now();
    const call = (c.ReceiveMessage as (req: unknown, md: unknown, options: unknown) => ClientReadableStream<Frame>)(
      receiveRequest(group, topic, {
        batch_size: 1,
        filter_expression: { type: 'SQL', expression: "a = 'x'" },
        long_polling_timeout: duration(1000),
      }),
      clientMetadata(),
      { deadline: new Date(Date.now() + 1500) },
    );
    const frames: Frame[] = [];
    call.on('data', (f: Frame) => frames.push(f));
    const status = await new Promise<{ code: number }>((resolve) => call.on('status', resolve));
    call.on('error', () => {});
    expect(status.code).toBe(0); // not DEADLINE_EXCEEDED
    expect(statusOf(frames)).toBe('MESSAGE_NOT_FOUND');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

function defaultGroup() {
  return {
    fifo: false,
    maxDeliveryAttempts: 17,
    retryPolicy: { type: 'exponential' as const, initialMs: 1000, maxMs: 10_000, multiplier: 2 },
  };
}
