import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { CallOptions, ClientReadableStream } from '@grpc/grpc-js';
import { Producer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_GROUP_CONFIG } from '../src/messaging/groups.js';
import {
  clientMetadata,
  type GrpcBroker,
  quietClientLogger,
  rawClient,
  startBroker,
  unaryCall,
} from './support/grpc-broker.js';

type Client = ReturnType<typeof rawClient>;
type WireStatus = { code: string; message: string };
type Timestamp = { seconds: string; nanos: number };
type PulledMessage = {
  topic: { name: string };
  user_properties: Record<string, string>;
  body: Buffer;
  system_properties: {
    tag?: string;
    keys: string[];
    message_id: string;
    body_digest: { type: string; checksum: string };
    message_type: string;
    born_timestamp: Timestamp;
    store_timestamp: Timestamp;
    queue_id: number;
    queue_offset: string;
    delivery_attempt: number;
    receipt_handle?: string;
  };
};
type Frame = { status?: WireStatus; message?: PulledMessage; next_offset?: string; content?: string };
type OffsetReply = { status: WireStatus; offset?: string };

let broker: GrpcBroker | undefined;
let client: Client | undefined;
let producer: Producer | undefined;
afterEach(async () => {
  await producer?.shutdown();
  producer = undefined;
  client?.close();
  client = undefined;
  await broker?.close();
  broker = undefined;
});

const suffix = () => randomBytes(4).toString('hex');
const ms = (timestamp: Timestamp) => Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6);
const durationMs = (n: number) => ({ seconds: Math.floor(n / 1000), nanos: (n % 1000) * 1_000_000 });

/** A broker without auto-create, with one topic and one group, and a raw client. */
async function setUp(queues = 1): Promise<{ b: GrpcBroker; c: Client; topic: string; group: string }> {
  broker = await startBroker({ autoCreate: false });
  const topic = `stream-${suffix()}`;
  const group = `g-${suffix()}`;
  await broker.topics.put(topic, { queues, messageType: 'NORMAL' });
  await broker.groups.put(group, DEFAULT_GROUP_CONFIG);
  client = rawClient(broker.endpoint);
  return { b: broker, c: client, topic, group };
}

/** Stops the broker and starts a new one on the same data directory; the new one is closed by afterEach. */
async function restart(b: GrpcBroker): Promise<{ b: GrpcBroker; c: Client }> {
  client?.close();
  await b.close(true);
  broker = await startBroker({ autoCreate: false, dir: b.dir });
  client = rawClient(broker.endpoint);
  return { b: broker, c: client };
}

interface Outgoing {
  tag?: string;
  properties?: Record<string, string>;
  body?: string;
}

/** Sends with raw SendMessage (one request per call, in order); the broker picks the queue. */
async function send(c: Client, topic: string, messages: Outgoing[]): Promise<void> {
  const response = await unaryCall<{ status: WireStatus }>(c, 'SendMessage', {
    messages: messages.map((m, n) => ({
      topic: { name: topic },
      body: Buffer.from(m.body ?? `body-${n}`),
      user_properties: m.properties ?? {},
      system_properties: {
        message_id: `ID-${suffix()}`,
        message_type: 'NORMAL',
        queue_id: 0,
        ...(m.tag !== undefined && { tag: m.tag }),
      },
    })),
  });
  expect(response.status.code).toBe('OK');
}

interface Pulled {
  frames: Frame[];
  /** gRPC status of the call. */
  code: number;
  elapsedMs: number;
  status: string | undefined;
  messages: PulledMessage[];
  nextOffset: string | undefined;
}

function pullCall(c: Client, request: Record<string, unknown>, options: CallOptions = {}) {
  const method = c.PullMessage as (req: unknown, md: unknown, options: CallOptions) => ClientReadableStream<Frame>;
  return method.call(c, request, clientMetadata(), options);
}

async function pull(c: Client, request: Record<string, unknown>, options: CallOptions = {}): Promise<Pulled> {
  const started = Date.now();
  const call = pullCall(c, request, options);
  const frames: Frame[] = [];
  call.on('data', (frame: Frame) => frames.push(frame));
  const { code } = await new Promise<{ code: number }>((resolve) => call.on('status', resolve));
  return {
    frames,
    code,
    elapsedMs: Date.now() - started,
    status: frames[0]?.status?.code,
    messages: frames.flatMap((f) => (f.message ? [f.message] : [])),
    nextOffset: frames.at(-1)?.next_offset,
  };
}

const queueRef = (topic: string, id = 0) => ({ topic: { name: topic }, id });
const bodies = (p: Pulled) => p.messages.map((m) => m.body.toString());

describe('gRPC PullMessage', () => {
  it('streams the status, the messages of the queue from the offset with every system property, then next_offset', async () => {
    const { b, c, topic, group } = await setUp();
    producer = new Producer({ endpoints: b.endpoint, namespace: '', logger: quietClientLogger, topics: [topic] });
    await producer.startup();
    const receipts = [];
    for (let n = 0; n < 5; n++) {
      receipts.push(
        await producer.send({
          topic,
          tag: `tag-${n}`,
          keys: [`k${n}`, `second-${n}`],
          body: Buffer.from(`body-${n}`),
          properties: new Map([['n', String(n)]]),
        }),
      );
    }
    const before = Date.now();

    const first = await pull(c, { group: { name: group }, message_queue: queueRef(topic), offset: '1', batch_size: 3 });
    expect(first.code).toBe(0);
    // The decoder names the member of the `content` oneof each frame carries.
    expect(first.frames.map((f) => f.content)).toEqual(['status', 'message', 'message', 'message', 'next_offset']);
    expect(first.status).toBe('OK');
    expect(bodies(first)).toEqual(['body-1', 'body-2', 'body-3']);
    expect(first.nextOffset).toBe('4');
    for (const [i, m] of first.messages.entries()) {
      const n = i + 1;
      const sys = m.system_properties;
      expect(m.topic.name).toBe(topic);
      expect(m.user_properties).toEqual({ n: String(n) });
      expect(sys).toMatchObject({
        tag: `tag-${n}`,
        keys: [`k${n}`, `second-${n}`],
        message_id: receipts[n]?.messageId,
        body_digest: { type: 'CRC32', checksum: String(crc32(`body-${n}`)) },
        message_type: 'NORMAL',
        queue_id: 0,
        queue_offset: String(n),
        delivery_attempt: 1,
      });
      expect(before - ms(sys.born_timestamp)).toBeLessThan(30_000);
      expect(ms(sys.store_timestamp)).toBeGreaterThanOrEqual(ms(sys.born_timestamp) - 1000);
      expect(ms(sys.store_timestamp)).toBeLessThanOrEqual(before);
    }

    const rest = await pull(c, { group: { name: group }, message_queue: queueRef(topic), offset: '4', batch_size: 32 });
    expect([rest.status, bodies(rest), rest.nextOffset]).toEqual(['OK', ['body-4'], '5']);
    // At the end without a long poll: answered at once, nothing new, the same offset.
    const end = await pull(c, { group: { name: group }, message_queue: queueRef(topic), offset: '5' });
    expect([end.status, end.messages.length, end.nextOffset]).toEqual(['MESSAGE_NOT_FOUND', 0, '5']);
    expect(end.elapsedMs).toBeLessThan(1000);
  });

  it('reads the queue the request names, not a hint', async () => {
    const { b, c, topic, group } = await setUp(2);
    // One request per message: the broker puts a whole request in one queue, and spreads requests over queues.
    for (let n = 0; n < 6; n++) await send(c, topic, [{ body: `m${n}` }]);
    for (const queueId of [0, 1]) {
      const stored = await b.store.read(topic, queueId, 0n, { maxCount: 100, maxBytes: 1 << 20 });
      const expected = stored.kind === 'found' ? stored.messages.map((m) => m.body.toString()) : [];
      expect(expected).toHaveLength(3);
      const got = await pull(c, { group: { name: group }, message_queue: queueRef(topic, queueId), offset: '0' });
      expect(bodies(got)).toEqual(expected);
      expect(got.messages.map((m) => m.system_properties.queue_id)).toEqual([queueId, queueId, queueId]);
    }
  });

  it('holds the call at the end of the queue until a message arrives', async () => {
    const { c, topic, group } = await setUp();
    await send(c, topic, [{ body: 'old' }]);
    const request = { group: { name: group }, message_queue: queueRef(topic), offset: '1' };
    const waiting = pull(c, { ...request, long_polling_timeout: durationMs(10_000) });
    await new Promise((r) => setTimeout(r, 400));
    await send(c, topic, [{ body: 'new' }]);
    const woken = await waiting;
    expect([woken.status, bodies(woken), woken.nextOffset]).toEqual(['OK', ['new'], '2']);
    expect(woken.elapsedMs).toBeGreaterThanOrEqual(350);
    expect(woken.elapsedMs).toBeLessThan(3000);

    // Nothing arrives: answered when the long poll ends.
    const idle = await pull(c, { ...request, offset: '2', long_polling_timeout: durationMs(700) });
    expect([idle.code, idle.status, idle.nextOffset]).toEqual([0, 'MESSAGE_NOT_FOUND', '2']);
    expect(idle.elapsedMs).toBeGreaterThanOrEqual(650);
    expect(idle.elapsedMs).toBeLessThan(3000);

    // A long poll past the client's deadline ends in time for the client to get the answer.
    const bounded = await pull(
      c,
      { ...request, offset: '2', long_polling_timeout: durationMs(20_000) },
      { deadline: Date.now() + 1200 },
    );
    expect([bounded.code, bounded.status, bounded.nextOffset]).toEqual([0, 'MESSAGE_NOT_FOUND', '2']);
  });

  it('lets a client cancel a held pull and keeps serving', async () => {
    const { c, topic, group } = await setUp();
    const request = { group: { name: group }, message_queue: queueRef(topic), offset: '0' };
    const call = pullCall(c, { ...request, long_polling_timeout: durationMs(10_000) });
    const ended = new Promise<{ code: number }>((resolve) => call.on('status', resolve));
    call.on('error', () => {});
    await new Promise((r) => setTimeout(r, 200));
    call.cancel();
    expect((await ended).code).toBe(1); // CANCELLED
    await send(c, topic, [{ body: 'after' }]);
    expect(bodies(await pull(c, request))).toEqual(['after']);
  });

  it('applies tag and SQL filters: skipped messages are passed over and next_offset moves past them', async () => {
    const { c, topic, group } = await setUp();
    await send(
      c,
      topic,
      ['a', 'b', 'a', 'b', 'c'].map((tag, n) => ({ tag, body: `${tag}${n}`, properties: { n: String(n) } })),
    );
    const request = { group: { name: group }, message_queue: queueRef(topic), offset: '0' };
    const tagA = await pull(c, { ...request, filter_expression: { type: 'TAG', expression: 'a' } });
    expect([tagA.status, bodies(tagA), tagA.nextOffset]).toEqual(['OK', ['a0', 'a2'], '5']);
    // batch_size counts messages answered, not entries read: the third match waits for the next pull.
    const either = await pull(c, {
      ...request,
      filter_expression: { type: 'TAG', expression: 'b || c' },
      batch_size: 2,
    });
    expect([bodies(either), either.nextOffset]).toEqual([['b1', 'b3'], '4']);
    const sql = await pull(c, { ...request, filter_expression: { type: 'SQL', expression: "n > 2 AND TAGS <> 'c'" } });
    expect([bodies(sql), sql.nextOffset]).toEqual([['b3'], '5']);
    const none = await pull(c, { ...request, filter_expression: { type: 'TAG', expression: 'zzz' } });
    expect([none.status, none.messages.length, none.nextOffset]).toEqual(['MESSAGE_NOT_FOUND', 0, '5']);

    // A held pull is not woken by a message its filter rejects; the matching one ends it, past both.
    const waiting = pull(c, {
      ...request,
      offset: '5',
      filter_expression: { type: 'TAG', expression: 'a' },
      long_polling_timeout: durationMs(10_000),
    });
    await new Promise((r) => setTimeout(r, 200));
    await send(c, topic, [{ tag: 'b', body: 'b5' }]);
    await new Promise((r) => setTimeout(r, 400));
    await send(c, topic, [{ tag: 'a', body: 'a6' }]);
    const woken = await waiting;
    expect([woken.status, bodies(woken), woken.nextOffset]).toEqual(['OK', ['a6'], '7']);
    expect(woken.elapsedMs).toBeGreaterThanOrEqual(550);
  });
});

describe('gRPC UpdateOffset and GetOffset', () => {
  it('commits a group offset per queue, reads it back, and keeps it across a restart', async () => {
    const setup = await setUp(2);
    const { topic, group } = setup;
    let { b, c } = setup;
    const other = `other-${suffix()}`;
    await b.groups.put(other, DEFAULT_GROUP_CONFIG);
    const get = (g: string, queueId: number) =>
      unaryCall<OffsetReply>(c, 'GetOffset', { group: { name: g }, message_queue: queueRef(topic, queueId) });
    const update = (queueId: number, offset: string) =>
      unaryCall<OffsetReply>(c, 'UpdateOffset', {
        group: { name: group },
        message_queue: queueRef(topic, queueId),
        offset,
      });

    expect((await get(group, 0)).status.code).toBe('OFFSET_NOT_FOUND');
    for (let n = 0; n < 4; n++) await send(c, topic, [{}]);
    expect((await update(0, '2')).status.code).toBe('OK');
    expect((await update(1, '1')).status.code).toBe('OK');
    expect((await update(1, '2')).status.code).toBe('OK');
    expect(await get(group, 0)).toMatchObject({ status: { code: 'OK' }, offset: '2' });
    expect(await get(group, 1)).toMatchObject({ status: { code: 'OK' }, offset: '2' });
    expect((await get(other, 1)).status.code).toBe('OFFSET_NOT_FOUND');
    // Past the end of the queue is refused and changes nothing.
    expect((await update(0, '3')).status.code).toBe('ILLEGAL_OFFSET');
    expect((await update(0, '-1')).status.code).toBe('ILLEGAL_OFFSET');
    expect(await get(group, 0)).toMatchObject({ offset: '2' });

    ({ b, c } = await restart(b));
    expect(await get(group, 0)).toMatchObject({ status: { code: 'OK' }, offset: '2' });
    expect(await get(group, 1)).toMatchObject({ status: { code: 'OK' }, offset: '2' });
    expect((await get(other, 0)).status.code).toBe('OFFSET_NOT_FOUND');
    expect((await update(0, '1')).status.code).toBe('OK');
    expect(await get(group, 0)).toMatchObject({ offset: '1' });
  });
});

describe('gRPC QueryOffset', () => {
  it('answers the start, the end, and the first offset stored from a time on, also after a restart', async () => {
    const setup = await setUp();
    const { topic } = setup;
    let { b, c } = setup;
    await send(c, topic, [{}, {}, {}]);
    await new Promise((r) => setTimeout(r, 50));
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await send(c, topic, [{ body: 'second-0' }]);
    await send(c, topic, [{ body: 'second-1' }]);
    const query = async (request: Record<string, unknown>) => {
      const reply = await unaryCall<OffsetReply>(c, 'QueryOffset', { message_queue: queueRef(topic), ...request });
      return reply.status.code === 'OK' ? reply.offset : reply.status.code;
    };
    const at = (t: number) => ({ query_offset_policy: 'TIMESTAMP', timestamp: durationMs(t) });
    const check = async () => {
      expect(await query({ query_offset_policy: 'BEGINNING' })).toBe('0');
      expect(await query({})).toBe('0');
      expect(await query({ query_offset_policy: 'END' })).toBe('5');
      expect(await query(at(between))).toBe('3');
      expect(await query(at(0))).toBe('0');
      expect(await query(at(Date.now() + 60_000))).toBe('5');
      expect(await query({ query_offset_policy: 'TIMESTAMP' })).toBe('BAD_REQUEST');
    };
    await check();
    const fromThere = await pull(c, { group: { name: setup.group }, message_queue: queueRef(topic), offset: '3' });
    expect(bodies(fromThere)).toEqual(['second-0', 'second-1']);

    ({ b, c } = await restart(b));
    await check();
    expect(b.store.queueOffsets(topic, 0)).toEqual({ min: 0n, max: 5n });
  });
});

describe('gRPC queue-level consumption with bad input', () => {
  it('answers in-band with the protocol codes and keeps serving', async () => {
    const { c, topic, group } = await setUp();
    await send(c, topic, [{ body: 'only' }]);
    const good = { group: { name: group }, message_queue: queueRef(topic), offset: '0' };
    const pullStatus = async (request: Record<string, unknown>) => {
      const p = await pull(c, { ...good, ...request });
      expect(p.code).toBe(0);
      return p.status;
    };

    expect(await pullStatus({ message_queue: queueRef(`missing-${suffix()}`) })).toBe('TOPIC_NOT_FOUND');
    expect(await pullStatus({ message_queue: queueRef('bad topic!') })).toBe('ILLEGAL_TOPIC');
    expect(await pullStatus({ group: { name: `missing-${suffix()}` } })).toBe('CONSUMER_GROUP_NOT_FOUND');
    expect(await pullStatus({ group: {} })).toBe('ILLEGAL_CONSUMER_GROUP');
    expect(await pullStatus({ message_queue: queueRef(topic, 1) })).toBe('BAD_REQUEST');
    expect(await pullStatus({ message_queue: queueRef(topic, -1) })).toBe('BAD_REQUEST');
    expect(await pullStatus({ offset: '-1' })).toBe('ILLEGAL_OFFSET');
    expect(await pullStatus({ filter_expression: { type: 'SQL', expression: 'a >' } })).toBe(
      'ILLEGAL_FILTER_EXPRESSION',
    );
    expect(await pullStatus({ long_polling_timeout: { seconds: -1 } })).toBe('ILLEGAL_POLLING_TIME');
    // Past the end: ILLEGAL_OFFSET, and next_offset says where the queue ends.
    const past = await pull(c, { ...good, offset: '7' });
    expect([past.status, past.messages.length, past.nextOffset]).toEqual(['ILLEGAL_OFFSET', 0, '1']);

    const offsetStatus = async (rpc: string, request: Record<string, unknown>) =>
      (await unaryCall<OffsetReply>(c, rpc, { ...good, ...request })).status.code;
    for (const rpc of ['UpdateOffset', 'GetOffset', 'QueryOffset']) {
      expect(await offsetStatus(rpc, { message_queue: queueRef(`missing-${suffix()}`) })).toBe('TOPIC_NOT_FOUND');
      expect(await offsetStatus(rpc, { message_queue: queueRef(topic, 3) })).toBe('BAD_REQUEST');
    }
    for (const rpc of ['UpdateOffset', 'GetOffset']) {
      expect(await offsetStatus(rpc, { group: { name: `missing-${suffix()}` } })).toBe('CONSUMER_GROUP_NOT_FOUND');
    }
    expect(await offsetStatus('QueryOffset', { query_offset_policy: 7 })).toBe('BAD_REQUEST');

    const after = await pull(c, good);
    expect([after.status, bodies(after), after.nextOffset]).toEqual(['OK', ['only'], '1']);
  });
});
