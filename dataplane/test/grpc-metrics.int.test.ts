import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { Producer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerMetrics } from '../src/metrics/broker-metrics.js';
import { type GrpcBroker, quietClientLogger, rawClient, startBroker, unaryCall } from './support/grpc-broker.js';

let broker: GrpcBroker | undefined;
let producer: Producer | undefined;
afterEach(async () => {
  await producer?.shutdown();
  producer = undefined;
  await broker?.close();
  broker = undefined;
});

const suffix = () => randomBytes(4).toString('hex');

/** The value of the one series of `name` whose labels include `labels`, from the text exposition; undefined if none. */
async function sample(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const matches: number[] = [];
  for (const line of (await registry.metrics()).split('\n')) {
    const parsed = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!parsed || parsed[1] !== name) continue;
    const series = Object.fromEntries(
      [...(parsed[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => series[k] === v)) matches.push(Number(parsed[3]));
  }
  if (matches.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${matches.length} series`);
  return matches[0];
}

async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function metricsBroker() {
  const registry = new Registry();
  broker = await startBroker({ autoCreate: false, metrics: new BrokerMetrics(registry) });
  return { registry, broker };
}

const rpc = (request_code: string, response_code: string) => ({ protocol_type: 'grpc', request_code, response_code });

describe('gRPC metrics with RocketMQ 5 names', () => {
  it('counts messages, bytes, sizes, SendMessage latency and the producer connection of the official client', async () => {
    const { registry, broker: b } = await metricsBroker();
    const topic = `metered-${suffix()}`;
    await b.topics.put(topic, { queues: 2, messageType: 'NORMAL' });
    producer = new Producer({ endpoints: b.endpoint, namespace: '', logger: quietClientLogger, topics: [topic] });
    await producer.startup();
    const producers = () => sample(registry, 'rocketmq_producer_connections', { language: 'node_js' });
    await until(async () => (await producers()) === 1);

    const bodies = [10, 1000, 2000, 5000, 100_000, 1].map((n) => randomBytes(n));
    for (const body of bodies) await producer.send({ topic, body });
    const bytes = bodies.reduce((sum, body) => sum + body.length, 0);

    const perTopic = { topic, message_type: 'normal' };
    expect(await sample(registry, 'rocketmq_messages_in_total', perTopic)).toBe(bodies.length);
    expect(await sample(registry, 'rocketmq_throughput_in_total', perTopic)).toBe(bytes);
    expect(await sample(registry, 'rocketmq_message_size_count', perTopic)).toBe(bodies.length);
    expect(await sample(registry, 'rocketmq_message_size_sum', perTopic)).toBe(bytes);
    expect(await sample(registry, 'rocketmq_message_size_bucket', { ...perTopic, le: '1024' })).toBe(3);
    expect(await sample(registry, 'rocketmq_message_size_bucket', { ...perTopic, le: '4096' })).toBe(4);
    expect(await sample(registry, 'rocketmq_message_size_bucket', { ...perTopic, le: '524288' })).toBe(6);
    expect(await sample(registry, 'rocketmq_rpc_latency_count', rpc('send_message', 'ok'))).toBe(bodies.length);
    expect(await sample(registry, 'rocketmq_rpc_latency_sum', rpc('send_message', 'ok'))).toBeGreaterThan(0);
    expect(await sample(registry, 'rocketmq_rpc_latency_count', rpc('query_route', 'ok'))).toBeGreaterThanOrEqual(1);
    expect(await producers()).toBe(1);

    await producer.shutdown();
    producer = undefined;
    await until(async () => (await producers()) === 0);
    expect(await sample(registry, 'rocketmq_consumer_connections')).toBeUndefined();
  });

  it('counts a rejected send under its error code and not as a message in', async () => {
    const { registry, broker: b } = await metricsBroker();
    const topic = `limits-${suffix()}`;
    await b.topics.put(topic, { queues: 1, messageType: 'NORMAL' });
    const client = rawClient(b.endpoint);
    const response = await unaryCall<{ status: { code: string } }>(client, 'SendMessage', {
      messages: [
        {
          topic: { name: topic },
          body: Buffer.alloc(b.store.config.limits.maxBodyBytes + 1),
          system_properties: { message_id: 'ID-BIG', message_type: 'NORMAL' },
        },
      ],
    });
    client.close();

    expect(response.status.code).toBe('MESSAGE_BODY_TOO_LARGE');
    expect(await sample(registry, 'rocketmq_rpc_latency_count', rpc('send_message', 'message_body_too_large'))).toBe(1);
    expect(await sample(registry, 'rocketmq_rpc_latency_count', rpc('send_message', 'ok'))).toBeUndefined();
    expect(await sample(registry, 'rocketmq_messages_in_total', { topic })).toBeUndefined();
    expect(await sample(registry, 'rocketmq_throughput_in_total', { topic })).toBeUndefined();
  });

  it('counts only the stored messages of a batch, per topic', async () => {
    const { registry, broker: b } = await metricsBroker();
    const [first, second] = [`batch-a-${suffix()}`, `batch-b-${suffix()}`];
    await b.topics.put(first, { queues: 1, messageType: 'NORMAL' });
    await b.topics.put(second, { queues: 1, messageType: 'NORMAL' });
    const wire = (topic: string, n: number, body: string, tag = 'ok') => ({
      topic: { name: topic },
      body: Buffer.from(body),
      system_properties: { message_id: `ID-${n}`, tag, message_type: 'NORMAL' },
    });
    const client = rawClient(b.endpoint);
    const response = await unaryCall<{ status: { code: string }; entries: { status: { code: string } }[] }>(
      client,
      'SendMessage',
      {
        messages: [
          wire(first, 0, 'aa'),
          wire(first, 1, 'bbb', 'bad|tag'),
          wire(first, 2, 'c'),
          wire(second, 3, 'dddd'),
        ],
      },
    );
    client.close();

    expect(response.entries.map((e) => e.status.code)).toEqual(['OK', 'ILLEGAL_MESSAGE_TAG', 'OK', 'OK']);
    expect(await sample(registry, 'rocketmq_messages_in_total', { topic: first })).toBe(2);
    expect(await sample(registry, 'rocketmq_throughput_in_total', { topic: first })).toBe(3);
    expect(await sample(registry, 'rocketmq_messages_in_total', { topic: second })).toBe(1);
    expect(await sample(registry, 'rocketmq_throughput_in_total', { topic: second })).toBe(4);
    // The call answers with its first failed entry's code.
    expect(await sample(registry, 'rocketmq_rpc_latency_count', rpc('send_message', 'illegal_message_tag'))).toBe(1);
  });
});
