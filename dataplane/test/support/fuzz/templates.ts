import { gzipSync } from 'node:zlib';
import type { Prng } from './prng.js';
import type { ProtoObject } from './proto-values.js';
import { type FuzzTarget, SQL_FILTERS, TAG_FILTERS, type TopicSpec } from './targets.js';

/*
 * Well-formed requests of every RPC, shaped like the official client's, against what exists on a target. They are the
 * starting points of the mutants, and sent as they are they must succeed or fail with a domain code.
 * Enums are numbers (definition.proto): ClientType PRODUCER 1, PUSH_CONSUMER 2, SIMPLE_CONSUMER 3, PULL_CONSUMER 4;
 * MessageType NORMAL 1, FIFO 2, DELAY 3, TRANSACTION 4; Permission READ_WRITE 4; FilterType TAG 1, SQL 2.
 */

export type Template = (rng: Prng, target: FuzzTarget) => ProtoObject;

const MESSAGE_TYPE: Record<TopicSpec['type'], number> = { NORMAL: 1, FIFO: 2, DELAY: 3, TRANSACTION: 4, MIXED: 1 };

const RESERVED_PROPERTIES = [
  'TAGS',
  'KEYS',
  'UNIQ_KEY',
  'DELAY',
  '__STARTDELIVERTIME',
  'TIMER_DELIVER_MS',
  'TRAN_MSG',
  'RETRY_TOPIC',
  'REAL_TOPIC',
  'MAX_OFFSET',
  'MIN_OFFSET',
  '__SHARDINGKEY',
];

const resource = (name: string) => ({ resource_namespace: '', name });
const endpoints = (target: FuzzTarget) => ({ scheme: 1, addresses: [{ host: '127.0.0.1', port: target.port }] });
const duration = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });
const timestamp = (ms: number) => duration(ms);
const hex = (rng: Prng, n: number) => rng.bytes(n).toString('hex').toUpperCase();

function messageQueue(rng: Prng, target: FuzzTarget, topic: TopicSpec): ProtoObject {
  return {
    topic: resource(topic.name),
    id: rng.int(0, topic.queues - 1),
    permission: 4,
    broker: { name: 'broker-0', id: 0, endpoints: endpoints(target) },
    accept_message_types: [MESSAGE_TYPE[topic.type]],
  };
}

function filter(rng: Prng): ProtoObject {
  const sql = rng.chance(0.3);
  return { type: sql ? 2 : 1, expression: rng.pick(sql ? SQL_FILTERS : TAG_FILTERS) };
}

function message(rng: Prng, topic: TopicSpec): ProtoObject {
  // Test brokers take bodies up to 256 KiB (support/store.ts); the protocol's own limit is 4,128,768 bytes.
  let body = rng.bytes(
    rng.weighted([
      [6, rng.int(1, 512)],
      [1, 0],
      [1, rng.int(4096, 65536)],
      [0.05, rng.int(256 * 1024, 300 * 1024)],
      [0.005, 4_128_769],
    ]),
  );
  const gzip = rng.chance(0.1);
  if (gzip) body = gzipSync(body);
  const type = rng.chance(0.85) ? MESSAGE_TYPE[topic.type] : rng.int(1, 6);
  const now = Date.now();
  const properties: Record<string, string> = {};
  for (let i = rng.int(0, 4); i > 0; i--) properties[`k${rng.int(0, 9)}`] = hex(rng, rng.int(0, 8));
  // Around the limits (support/store.ts: 128 properties, 16 KiB) and RocketMQ's own property names.
  if (rng.chance(0.03)) for (let i = 0; i < rng.pick([127, 128, 129]); i++) properties[`p${i}`] = 'v';
  if (rng.chance(0.03)) properties.big = 'v'.repeat(rng.pick([16 * 1024 - 64, 16 * 1024, 16 * 1024 + 1]));
  if (rng.chance(0.05)) properties[rng.pick(RESERVED_PROPERTIES)] = rng.pick(['', '1', '-1', 'A', '9999999999999']);
  return {
    topic: resource(topic.name),
    user_properties: properties,
    system_properties: {
      ...(rng.chance(0.8) && { tag: rng.pick(['A', 'B', 'C', 'TagA']) }),
      keys: Array.from({ length: rng.int(0, 3) }, () => `key-${rng.int(0, 99)}`),
      message_id: `01${hex(rng, 16)}`,
      body_encoding: gzip ? 2 : 1,
      message_type: type,
      born_timestamp: timestamp(now),
      born_host: 'fuzz-host',
      queue_id: rng.chance(0.8) ? 0 : rng.int(0, topic.queues - 1),
      ...(type === 2 && { message_group: `mg-${rng.int(0, 5)}` }),
      ...(type === 3 && { delivery_timestamp: timestamp(now + rng.int(-1000, 5000)) }),
      ...(type === 6 && { priority: rng.int(0, 10) }),
    },
    body,
  };
}

function settings(rng: Prng, target: FuzzTarget): ProtoObject {
  const clientType = rng.pick([1, 2, 3, 4]);
  const common = {
    client_type: clientType,
    access_point: endpoints(target),
    request_timeout: duration(3000),
    user_agent: { language: 8, version: '5.0.8', platform: 'linux x64', hostname: 'fuzz-host' },
  };
  if (clientType === 1) {
    const topics = Array.from({ length: rng.int(0, 3) }, () => resource(target.topic(rng).name));
    return { ...common, publishing: { topics, max_body_size: 4 << 20, validate_message_type: true } };
  }
  const topic = target.topic(rng);
  return {
    ...common,
    subscription: {
      group: resource(target.group(rng, topic)),
      subscriptions: [{ topic: resource(topic.name), expression: filter(rng) }],
      fifo: topic.type === 'FIFO',
      receive_batch_size: 32,
      long_polling_timeout: duration(1000),
    },
  };
}

function telemetryCommand(rng: Prng, target: FuzzTarget): ProtoObject {
  const nonce = hex(rng, 8);
  return rng.weighted<() => ProtoObject>([
    [6, () => ({ settings: settings(rng, target) })],
    [1, () => ({ status: { code: 20000, message: 'OK' }, thread_stack_trace: { nonce, thread_stack_trace: 'at x' } })],
    [1, () => ({ status: { code: 20000, message: 'OK' }, verify_message_result: { nonce } })],
    [0.5, () => ({ print_thread_stack_trace_command: { nonce } })],
    [0.5, () => ({ recover_orphaned_transaction_command: { transaction_id: nonce } })],
    [0.5, () => ({ notify_unsubscribe_lite_command: { lite_topic: 'lite' } })],
    [0.5, () => ({})],
  ])();
}

/** A receipt-handle request's group, topic and handle: mostly a real delivery's, sometimes crossed with another. */
function handleTarget(rng: Prng, target: FuzzTarget) {
  const delivery = target.delivery(rng);
  const topic = delivery && rng.chance(0.85) ? delivery.topic : target.topic(rng).name;
  const group = delivery && rng.chance(0.85) ? delivery.group : target.group(rng);
  return {
    group: resource(group),
    topic: resource(topic),
    receipt_handle: delivery && rng.chance(0.7) ? delivery.receiptHandle : target.receiptHandle(rng),
    message_id: delivery?.messageId ?? target.messageId(rng),
  };
}

export const TEMPLATES: Record<string, Template> = {
  QueryRoute: (rng, t) => ({ topic: resource(t.nameOf(rng, 'topic')), endpoints: endpoints(t) }),
  Heartbeat: (rng, t) => ({ group: resource(t.group(rng)), client_type: rng.pick([1, 2, 3, 4]) }),
  SendMessage: (rng, t) => {
    const topic = t.topic(rng);
    const n = rng.weighted([
      [8, 1],
      [2, rng.int(2, 8)],
      [0.1, rng.int(50, 200)],
    ]);
    return { messages: Array.from({ length: n }, () => message(rng, topic)) };
  },
  QueryAssignment: (rng, t) => {
    const topic = t.topic(rng);
    return { topic: resource(topic.name), group: resource(t.group(rng, topic)), endpoints: endpoints(t) };
  },
  ReceiveMessage: (rng, t) => {
    const topic = t.topic(rng);
    return {
      group: resource(t.group(rng, topic)),
      message_queue: messageQueue(rng, t, topic),
      filter_expression: rng.chance(0.5) ? { type: 1, expression: '*' } : filter(rng),
      batch_size: rng.pick([1, 8, 16, 32]),
      invisible_duration: duration(rng.int(1000, 30_000)),
      auto_renew: rng.chance(0.1),
      long_polling_timeout: duration(rng.int(0, 1500)),
      attempt_id: hex(rng, 8),
    };
  },
  AckMessage: (rng, t) => {
    const first = handleTarget(rng, t);
    const entries = [{ message_id: first.message_id, receipt_handle: first.receipt_handle }];
    for (
      let i = rng.weighted([
        [8, 0],
        [2, rng.int(1, 16)],
      ]);
      i > 0;
      i--
    ) {
      entries.push({ message_id: t.messageId(rng), receipt_handle: t.receiptHandle(rng) });
    }
    return { group: first.group, topic: first.topic, entries };
  },
  ForwardMessageToDeadLetterQueue: (rng, t) => ({
    ...handleTarget(rng, t),
    delivery_attempt: rng.int(1, 17),
    max_delivery_attempts: 16,
  }),
  PullMessage: (rng, t) => {
    const topic = t.topic(rng);
    return {
      group: resource(t.group(rng, topic)),
      message_queue: messageQueue(rng, t, topic),
      offset: String(rng.int(0, 60)),
      batch_size: rng.pick([1, 16, 32]),
      filter_expression: filter(rng),
      long_polling_timeout: duration(rng.int(0, 1500)),
    };
  },
  UpdateOffset: (rng, t) => {
    const topic = t.topic(rng);
    return {
      group: resource(t.group(rng, topic)),
      message_queue: messageQueue(rng, t, topic),
      offset: String(rng.int(0, 60)),
    };
  },
  GetOffset: (rng, t) => {
    const topic = t.topic(rng);
    return { group: resource(t.group(rng, topic)), message_queue: messageQueue(rng, t, topic) };
  },
  QueryOffset: (rng, t) => ({
    message_queue: messageQueue(rng, t, t.topic(rng)),
    query_offset_policy: rng.int(0, 2),
    timestamp: timestamp(Date.now() - rng.int(0, 60_000)),
  }),
  EndTransaction: (rng, t) => ({
    topic: resource(t.topic(rng).name),
    message_id: t.messageId(rng),
    transaction_id: hex(rng, 16),
    resolution: rng.int(1, 2),
    source: rng.int(1, 2),
    trace_context: '',
  }),
  NotifyClientTermination: (rng, t) => ({ group: resource(t.group(rng)) }),
  ChangeInvisibleDuration: (rng, t) => ({
    ...handleTarget(rng, t),
    invisible_duration: duration(rng.pick([0, 100, 1000, 5000, 30_000])),
  }),
  RecallMessage: (rng, t) => ({ topic: resource(t.topic(rng).name), recall_handle: hex(rng, 16) }),
  SyncLiteSubscription: (rng, t) => ({
    action: rng.int(0, 3),
    topic: resource(t.topic(rng).name),
    group: resource(t.group(rng)),
    lite_topic_set: ['lite-a', 'lite-b'],
    version: String(rng.int(0, 10)),
  }),
  /** One Telemetry command; a Telemetry call writes a few. */
  Telemetry: telemetryCommand,
};
