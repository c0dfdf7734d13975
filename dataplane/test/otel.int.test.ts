import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type Client,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type TempDir, tempDir } from '@rocketry/testkit';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcMeters } from '../src/observability/rpc-meters.js';
import { instrumentRpcs } from '../src/observability/rpc-spans.js';
import { loadMessagingService } from '../src/protocol/grpc/protos.js';
import { quietClientLogger } from './support/grpc-broker.js';

const suffix = () => randomBytes(4).toString('hex');
const OK = { code: 20000, message: 'OK' };
const SERVER_KIND = 1; // SpanKind.SERVER in @opentelemetry/api
const OTLP_SERVER_KIND = 2; // SPAN_KIND_SERVER in OTLP
const OTLP_STATUS_ERROR = 2;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not seen in ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type RawMethod = (...args: unknown[]) => unknown;

/** A plain grpc-js client of MessagingService, for calls the official client never makes. */
function messagingClient(endpoint: string) {
  const Ctor = makeGenericClientConstructor(loadMessagingService(), 'MessagingService');
  const client = new Ctor(endpoint, credentials.createInsecure()) as Client & Record<string, RawMethod>;
  cleanups.push(() => client.close());
  return client;
}

function metadata(entries: Record<string, string> = {}): Metadata {
  const md = new Metadata();
  md.set('x-mq-client-id', 'otel-test-client');
  for (const [key, value] of Object.entries(entries)) md.set(key, value);
  return md;
}

function unary<Res>(client: ReturnType<typeof messagingClient>, rpc: string, request: unknown, md = metadata()) {
  return new Promise<Res>((resolve, reject) =>
    client[rpc]?.call(client, request, md, (err: Error | null, res: Res) => (err ? reject(err) : resolve(res))),
  );
}

function streamed<Frame>(client: ReturnType<typeof messagingClient>, rpc: string, request: unknown) {
  return new Promise<Frame[]>((resolve, reject) => {
    const frames: Frame[] = [];
    const call = client[rpc]?.call(client, request, metadata()) as NodeJS.EventEmitter;
    call.on('data', (frame: Frame) => frames.push(frame));
    call.on('end', () => resolve(frames));
    call.on('error', reject);
  });
}

const wireMessage = (topic: string, id: string, body = 'hello') => ({
  topic: { name: topic, resource_namespace: '' },
  system_properties: { message_id: id, message_type: 'NORMAL', body_encoding: 'IDENTITY' },
  body: Buffer.from(body),
});

/** Collects what a MeterProvider holds, on demand: the smallest real reader. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('instrumentRpcs over a real gRPC server', () => {
  /** A MessagingService with canned answers, instrumented with in-memory exporters. */
  async function instrumentedServer() {
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const reader = new CollectingReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const server = new Server();
    let releaseSlow: () => void = () => {};
    const implementation = {
      SendMessage: (
        call: ServerUnaryCall<{ messages: { topic: { name: string } }[] }, unknown>,
        cb: sendUnaryData<unknown>,
      ) => {
        const topic = call.request.messages[0]?.topic.name;
        if (topic === 'missing') return cb(null, { status: { code: 40402, message: 'topic missing not found' } });
        cb(null, { status: OK, entries: call.request.messages.map((_, i) => ({ status: OK, message_id: `M${i}` })) });
      },
      Heartbeat: (_call: unknown, cb: sendUnaryData<unknown>) => cb(null, { status: OK }),
      AckMessage: (_call: unknown, cb: sendUnaryData<unknown>) =>
        cb(null, { status: OK, entries: [{ message_id: 'M0', receipt_handle: 'h', status: OK }] }),
      ReceiveMessage: (call: ServerWritableStream<{ group: { name: string } }, unknown>) => {
        const group = call.request.group.name;
        if (group === 'slow') {
          releaseSlow = () => call.end();
          return;
        }
        if (group === 'empty') {
          call.write({ status: { code: 40401, message: 'no new message' } });
          return call.end();
        }
        call.write({ status: OK });
        call.write({ message: wireMessage('orders', 'R1', 'abc') });
        call.write({ message: wireMessage('orders', 'R2', 'defgh') });
        call.end();
      },
    };
    server.addService(
      loadMessagingService(),
      instrumentRpcs(implementation, {
        tracer: tracerProvider.getTracer('test'),
        meters: new RpcMeters(meterProvider.getMeter('test')),
      }),
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    cleanups.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
    const metric = async (name: string) => {
      const { resourceMetrics } = await reader.collect();
      const found = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
      return found?.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value as unknown }));
    };
    return {
      client: messagingClient(`127.0.0.1:${port}`),
      spans: () => spans.getFinishedSpans(),
      metric,
      releaseSlow: () => releaseSlow(),
    };
  }

  it('wraps a send in a SERVER span named after the topic, and counts the stored messages', async () => {
    const s = await instrumentedServer();
    await unary(s.client, 'SendMessage', { messages: [wireMessage('orders', 'A'), wireMessage('orders', 'B', 'xy')] });
    const [span] = s.spans();
    expect(span?.name).toBe('send orders');
    expect(span?.kind).toBe(SERVER_KIND);
    expect(span?.status.code).toBe(0);
    expect(span?.attributes).toMatchObject({
      'messaging.system': 'rocketmq',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'orders',
      'messaging.batch.message_count': 2,
      'messaging.client.id': 'otel-test-client',
      'rpc.system': 'grpc',
      'rpc.method': 'SendMessage',
    });
    expect(await s.metric('rocketmq_messages_in_total')).toEqual([
      { attributes: { topic: 'orders', message_type: 'normal' }, value: 2 },
    ]);
    expect(await s.metric('rocketmq_throughput_in_total')).toEqual([
      { attributes: { topic: 'orders', message_type: 'normal' }, value: 7 },
    ]);
  });

  it('marks a failed send with the RocketMQ status code and records it in the latency metric', async () => {
    const s = await instrumentedServer();
    await unary(s.client, 'SendMessage', { messages: [wireMessage('missing', 'A')] });
    const [span] = s.spans();
    expect(span?.name).toBe('send missing');
    expect(span?.attributes['error.type']).toBe('40402');
    expect(span?.status).toEqual({ code: 2, message: 'topic missing not found' });
    expect(await s.metric('rocketmq_messages_in_total')).toBeUndefined();
    const latency = await s.metric('rocketmq_rpc_latency');
    expect(latency).toEqual([
      {
        attributes: { protocol_type: 'grpc', request_code: 'send_message', response_code: 'topic_not_found' },
        value: expect.objectContaining({ count: 1 }),
      },
    ]);
  });

  it('times untraced unary RPCs without a span', async () => {
    const s = await instrumentedServer();
    await unary(s.client, 'Heartbeat', { group: { name: 'g' } });
    expect(s.spans()).toEqual([]);
    expect(await s.metric('rocketmq_rpc_latency')).toEqual([
      {
        attributes: { protocol_type: 'grpc', request_code: 'heartbeat', response_code: 'ok' },
        value: expect.objectContaining({ count: 1 }),
      },
    ]);
  });

  it('ends a receive span with the stream, timing it and counting the delivered messages as messages out', async () => {
    const s = await instrumentedServer();
    const frames = await streamed(s.client, 'ReceiveMessage', {
      group: { name: 'billing' },
      message_queue: { topic: { name: 'orders' } },
    });
    expect(frames).toHaveLength(3);
    const [span] = s.spans();
    expect(span?.name).toBe('receive orders');
    expect(span?.status.code).toBe(0);
    expect(span?.attributes).toMatchObject({
      'messaging.operation.type': 'receive',
      'messaging.consumer.group.name': 'billing',
      'messaging.rocketmq.client_group': 'billing',
      'messaging.batch.message_count': 2,
    });
    expect(span?.attributes).not.toHaveProperty('messaging.message.id');
    expect(await s.metric('rocketmq_messages_out_total')).toEqual([
      { attributes: { topic: 'orders', message_type: 'normal', consumer_group: 'billing' }, value: 2 },
    ]);
    expect(await s.metric('rocketmq_throughput_out_total')).toEqual([
      { attributes: { topic: 'orders', message_type: 'normal', consumer_group: 'billing' }, value: 8 },
    ]);
    expect(await s.metric('rocketmq_rpc_latency')).toEqual([
      {
        attributes: { protocol_type: 'grpc', request_code: 'receive_message', response_code: 'ok' },
        value: expect.objectContaining({ count: 1 }),
      },
    ]);
  });

  it('does not mark a long poll that ended empty as an error', async () => {
    const s = await instrumentedServer();
    await streamed(s.client, 'ReceiveMessage', { group: { name: 'empty' }, message_queue: { topic: { name: 't' } } });
    const [span] = s.spans();
    expect(span?.status.code).toBe(0);
    expect(span?.attributes['messaging.batch.message_count']).toBe(0);
    expect(span?.attributes).not.toHaveProperty('error.type');
  });

  it('ends a receive span the client cancelled as an error', async () => {
    const s = await instrumentedServer();
    const call = s.client.ReceiveMessage?.call(
      s.client,
      { group: { name: 'slow' }, message_queue: { topic: { name: 't' } } },
      metadata(),
    ) as { cancel(): void; on(event: string, fn: () => void): void };
    call.on('error', () => {});
    await new Promise((r) => setTimeout(r, 100));
    call.cancel();
    const span = await until(() => s.spans()[0], 'cancelled receive span');
    expect(span.attributes['error.type']).toBe('cancelled');
    expect(span.status.code).toBe(2);
    s.releaseSlow();
  });

  it('wraps an ack in a settle span naming the message', async () => {
    const s = await instrumentedServer();
    await unary(s.client, 'AckMessage', {
      group: { name: 'billing' },
      topic: { name: 'orders' },
      entries: [{ message_id: 'M0', receipt_handle: 'h' }],
    });
    const [span] = s.spans();
    expect(span?.name).toBe('ack orders');
    expect(span?.attributes).toMatchObject({
      'messaging.operation.type': 'settle',
      'messaging.operation.name': 'ack',
      'messaging.message.id': 'M0',
      'messaging.consumer.group.name': 'billing',
    });
  });
});

interface OtlpPost {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** An OTLP/HTTP receiver: keeps every POST and answers 200 with an empty export response. */
async function startCollector() {
  const posts: OtlpPost[] = [];
  const server: HttpServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      posts.push({ path: req.url ?? '', contentType, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': contentType });
      res.end(contentType.includes('json') ? '{}' : '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts };
}

const bin = fileURLToPath(new URL('../../bin/rocketry.js', import.meta.url));

/** `rocketry dev` as a separate process with the given OTEL_* variables (and no others from this environment). */
async function startBrokerProcess(otelEnv: Record<string, string>) {
  const dir: TempDir = await tempDir('rocketry-otel-');
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const proc: ChildProcess = spawn(
    process.execPath,
    [bin, 'dev', '--data-dir', dir.path, '--grpc-port', '0', '--admin-port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...otelEnv } },
  );
  let output = '';
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    }
    await dir.remove();
  };
  cleanups.push(stop);
  const grpc = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rocketry dev not started in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"grpc":"([^"]+)","admin":"[^"]+","msg":"broker started"/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rocketry dev exited ${code}:\n${output}`));
    });
  });
  return { grpc, output: () => output, stop };
}

type JsonValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: JsonValue[] };
};
type JsonAttributes = { key: string; value: JsonValue }[];
interface JsonSpan {
  name: string;
  kind: number;
  traceId: string;
  parentSpanId?: string;
  attributes?: JsonAttributes;
  status?: { code?: number; message?: string };
}
interface JsonDataPoint {
  attributes?: JsonAttributes;
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
}
interface JsonMetric {
  name: string;
  sum?: { dataPoints: JsonDataPoint[] };
  histogram?: { dataPoints: JsonDataPoint[] };
}

function attributeValue(value: JsonValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return (value.arrayValue?.values ?? []).map(attributeValue);
}
const attributesOf = (list: JsonAttributes = []) =>
  Object.fromEntries(list.map((kv) => [kv.key, attributeValue(kv.value)]));

/** Every span of the OTLP/JSON trace exports so far, attributes flattened. */
function jsonSpans(posts: readonly OtlpPost[]) {
  return posts
    .filter((p) => p.path === '/v1/traces')
    .flatMap((p) => JSON.parse(p.body.toString()).resourceSpans as { scopeSpans: { spans: JsonSpan[] }[] }[])
    .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
    .map((span) => ({ ...span, attributes: attributesOf(span.attributes) }));
}

/** The data points of `name` in the latest OTLP/JSON metric export that has it (cumulative temporality). */
function jsonMetric(posts: readonly OtlpPost[], name: string) {
  const exports = posts.filter((p) => p.path === '/v1/metrics').map((p) => JSON.parse(p.body.toString()));
  for (const body of exports.reverse()) {
    const metrics = (body.resourceMetrics as { scopeMetrics: { metrics: JsonMetric[] }[] }[]).flatMap((r) =>
      r.scopeMetrics.flatMap((s) => s.metrics),
    );
    const metric = metrics.find((m) => m.name === name);
    if (metric) {
      return (metric.sum ?? metric.histogram)?.dataPoints.map((p) => ({
        attributes: attributesOf(p.attributes),
        value: Number(p.asInt ?? p.asDouble ?? p.count),
      }));
    }
  }
  return undefined;
}

describe('OpenTelemetry export of a broker process', () => {
  it('exports send spans and message and RPC metrics over OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const collector = await startCollector();
    const broker = await startBrokerProcess({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    expect(broker.output()).toContain('opentelemetry export started');
    const topic = `otel-${suffix()}`;
    const producer = new Producer({
      endpoints: broker.grpc,
      namespace: '',
      logger: quietClientLogger,
      topics: [topic],
    });
    await producer.startup();
    cleanups.push(() => producer.shutdown());
    const receipt = await producer.send({ topic, tag: 'paid', keys: ['order-1'], body: Buffer.from('hello otel') });
    await producer.send({ topic, body: Buffer.from('second') });

    const sends = await until(() => {
      const found = jsonSpans(collector.posts).filter((s) => s.name === `send ${topic}`);
      return found.length === 2 ? found : undefined;
    }, `two "send ${topic}" spans`);
    const first = sends.find((s) => s.attributes['messaging.message.id'] === receipt.messageId);
    expect(first?.kind).toBe(OTLP_SERVER_KIND);
    expect(first?.status?.code ?? 0).toBe(0);
    expect(first?.attributes).toMatchObject({
      'messaging.system': 'rocketmq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': topic,
      'messaging.batch.message_count': 1,
      'messaging.message.body.size': 10,
      'messaging.rocketmq.message.type': 'normal',
      'messaging.rocketmq.message.tag': 'paid',
      'messaging.rocketmq.message.keys': ['order-1'],
      'rpc.system': 'grpc',
      'rpc.service': 'apache.rocketmq.v2.MessagingService',
      'rpc.method': 'SendMessage',
    });
    expect(String(first?.attributes['messaging.client.id'])).not.toBe('');

    const perTopic = { topic, message_type: 'normal' };
    await until(
      () => (jsonMetric(collector.posts, 'rocketmq_messages_in_total')?.some((p) => p.value === 2) ? true : undefined),
      'rocketmq_messages_in_total = 2',
    );
    expect(jsonMetric(collector.posts, 'rocketmq_messages_in_total')).toContainEqual({
      attributes: perTopic,
      value: 2,
    });
    expect(jsonMetric(collector.posts, 'rocketmq_throughput_in_total')).toContainEqual({
      attributes: perTopic,
      value: 'hello otel'.length + 'second'.length,
    });
    expect(jsonMetric(collector.posts, 'rocketmq_rpc_latency')).toContainEqual({
      attributes: { protocol_type: 'grpc', request_code: 'send_message', response_code: 'ok' },
      value: 2,
    });
  });

  it('continues the trace of a caller that sends traceparent, and marks a refused send with its status code', async () => {
    const collector = await startCollector();
    const broker = await startBrokerProcess({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const client = messagingClient(broker.grpc);
    // `%` alone is no legal topic name: the broker refuses the message in-band.
    const response = await unary<{ status: { code: number | string } }>(
      client,
      'SendMessage',
      { messages: [wireMessage('%', `M${suffix()}`)] },
      metadata({ traceparent: `00-${traceId}-${parentSpanId}-01` }),
    );
    expect(response.status.code).not.toBe('OK');
    const span = await until(() => jsonSpans(collector.posts).find((s) => s.name === 'send %'), 'span "send %"');
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe(parentSpanId);
    expect(span.status?.code).toBe(OTLP_STATUS_ERROR);
    expect(String(span.attributes['error.type'])).toMatch(/^[45]\d{4}$/);
    await broker.stop();
    expect(collector.posts.some((p) => p.path === '/v1/metrics')).toBe(false);
  });

  it('exports OTLP/HTTP protobuf by default and flushes what is buffered when the broker stops', async () => {
    const collector = await startCollector();
    // Default intervals (5 s spans, 60 s metrics): only the shutdown flush can deliver within this test.
    const broker = await startBrokerProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    const topic = `otel-pb-${suffix()}`;
    const producer = new Producer({
      endpoints: broker.grpc,
      namespace: '',
      logger: quietClientLogger,
      topics: [topic],
    });
    await producer.startup();
    await producer.send({ topic, body: Buffer.from('protobuf') });
    await producer.shutdown();
    await broker.stop();

    const traces = collector.posts.filter((p) => p.path === '/v1/traces');
    const metrics = collector.posts.filter((p) => p.path === '/v1/metrics');
    expect(traces.length).toBeGreaterThan(0);
    expect(metrics.length).toBeGreaterThan(0);
    for (const post of [...traces, ...metrics]) expect(post.contentType).toBe('application/x-protobuf');
    // Protobuf keeps strings as their UTF-8 bytes: the span name and attribute keys are there verbatim.
    const traceBytes = Buffer.concat(traces.map((p) => p.body));
    expect(traceBytes.includes(`send ${topic}`)).toBe(true);
    expect(traceBytes.includes('messaging.destination.name')).toBe(true);
    expect(traceBytes.includes('rocketry-broker')).toBe(true);
    const metricBytes = Buffer.concat(metrics.map((p) => p.body));
    expect(metricBytes.includes('rocketmq_messages_in_total')).toBe(true);
    expect(metricBytes.includes('rocketmq_rpc_latency')).toBe(true);
  });

  it('traces receive and ack of the official SimpleConsumer', async () => {
    const collector = await startCollector();
    const broker = await startBrokerProcess({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const topic = `otel-rx-${suffix()}`;
    const group = `otel-group-${suffix()}`;
    const producer = new Producer({
      endpoints: broker.grpc,
      namespace: '',
      logger: quietClientLogger,
      topics: [topic],
    });
    await producer.startup();
    cleanups.push(() => producer.shutdown());
    const consumer = new SimpleConsumer({
      endpoints: broker.grpc,
      namespace: '',
      consumerGroup: group,
      subscriptions: new Map([[topic, '*']]),
      awaitDuration: 3000,
      logger: quietClientLogger,
    });
    await consumer.startup();
    cleanups.push(() => consumer.shutdown());
    const receipt = await producer.send({ topic, body: Buffer.from('to consume') });

    const received = await until(async () => {
      const messages = await consumer.receive(1, 10_000);
      return messages.length > 0 ? messages : undefined;
    }, 'a received message');
    expect(received[0]?.messageId).toBe(receipt.messageId);
    await consumer.ack(received[0] as NonNullable<(typeof received)[0]>);

    const receive = await until(
      () =>
        jsonSpans(collector.posts).find(
          (s) => s.name === `receive ${topic}` && s.attributes['messaging.batch.message_count'] === 1,
        ),
      `a "receive ${topic}" span with one message`,
    );
    expect(receive.status?.code ?? 0).toBe(0);
    expect(receive.attributes).toMatchObject({
      'messaging.operation.type': 'receive',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': group,
      'messaging.rocketmq.client_group': group,
      'messaging.message.id': receipt.messageId,
      'rpc.method': 'ReceiveMessage',
    });
    const ack = await until(
      () => jsonSpans(collector.posts).find((s) => s.name === `ack ${topic}`),
      `an "ack ${topic}" span`,
    );
    expect(ack.status?.code ?? 0).toBe(0);
    expect(ack.attributes).toMatchObject({
      'messaging.operation.type': 'settle',
      'messaging.operation.name': 'ack',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': group,
      'messaging.message.id': receipt.messageId,
      'rpc.method': 'AckMessage',
    });
    await until(
      () =>
        jsonMetric(collector.posts, 'rocketmq_messages_out_total')?.find(
          (p) => p.attributes.topic === topic && p.attributes.consumer_group === group && p.value === 1,
        ),
      'rocketmq_messages_out_total = 1',
    );
  });
});
