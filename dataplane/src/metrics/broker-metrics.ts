import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { Code } from '../lib/errors.js';
import { metricNames } from './names.js';

/** What SendMessage reports: called once per topic and message type of a request, never once per message. */
export interface SendMetrics {
  /** Messages stored (rejected ones excluded), given by their body sizes in bytes. */
  recordSend(topic: string, messageType: string, bodySizes: readonly number[]): void;
}

/** What the transport reports for every unary call. */
export interface RpcMetrics {
  /** `rpc` is the gRPC method name (`SendMessage`), `code` the `apache.rocketmq.v2.Code` of the response status. */
  observeRpc(rpc: string, code: number, latencyMs: number): void;
}

/** A client as its Telemetry `Settings` describe it. */
export interface ConnectedClient {
  /** `apache.rocketmq.v2.ClientType` name, e.g. `PRODUCER`, `PUSH_CONSUMER`. */
  readonly clientType: string;
  /** The consumer group; '' for producers. */
  readonly group: string;
  /** `apache.rocketmq.v2.Language` name, e.g. `NODE_JS`; '' when the client sent none. */
  readonly language: string;
  readonly version: string;
}

/** What a Telemetry session reports: one open and one close per counted client. */
export interface ConnectionMetrics {
  connectionOpened(client: ConnectedClient): void;
  connectionClosed(client: ConnectedClient): void;
}

/** What pop consumption reports: once per receive call and topic, and per dead letter. */
export interface ConsumeMetrics {
  /** Messages handed to a consumer group (redeliveries included), given by their body sizes in bytes. */
  recordDelivered(topic: string, group: string, bodySizes: readonly number[]): void;
  /** A message of `topic` moved to the group's dead-letter topic. */
  recordDeadLetter(topic: string, group: string): void;
}

export interface GrpcMetrics extends SendMetrics, RpcMetrics, ConnectionMetrics, ConsumeMetrics {}

/** For callers that do not care about metrics (most tests). */
export const noopGrpcMetrics: GrpcMetrics = Object.freeze({
  recordSend() {},
  recordDelivered() {},
  recordDeadLetter() {},
  observeRpc() {},
  connectionOpened() {},
  connectionClosed() {},
});

/** RocketMQ 5's `rocketmq_message_size` buckets: 1 KiB, 4 KiB, 512 KiB, 1, 2 and 4 MiB. */
const MESSAGE_SIZE_BUCKETS = [1 << 10, 4 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20];
/** RocketMQ 5's `rocketmq_rpc_latency` buckets, in milliseconds as RocketMQ records it. */
const RPC_LATENCY_BUCKETS_MS = [1, 3, 5, 7, 10, 100, 1000, 2000, 3000];
const PROTOCOL_TYPE = 'grpc';
const CONSUMER_TYPES = new Set([
  'PUSH_CONSUMER',
  'SIMPLE_CONSUMER',
  'PULL_CONSUMER',
  'LITE_PUSH_CONSUMER',
  'LITE_SIMPLE_CONSUMER',
]);

/** `response_code` values: lowercase Code names as RocketMQ labels its remoting codes (`ok`, `message_body_too_large`). */
const CODE_NAMES = new Map<number, string>([
  [20000, 'ok'],
  ...Object.entries(Code).map(([name, code]): [number, string] => [code, name.toLowerCase()]),
]);
const codeName = (code: number) => CODE_NAMES.get(code) ?? String(code);
/** `SendMessage` → `send_message`: RocketMQ's `request_code` values are lowercase snake case. */
const requestCode = (rpc: string) => rpc.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();

type SendLabel = 'topic' | 'message_type';
type RpcLabel = 'protocol_type' | 'request_code' | 'response_code';
type ClientLabel = 'consumer_group' | 'language' | 'version';
type ConsumeLabel = 'topic' | 'consumer_group';

interface SendChildren {
  readonly messages: Counter.Internal;
  readonly bytes: Counter.Internal;
  readonly size: Histogram.Internal<SendLabel>;
}

/**
 * The gRPC path's metrics under RocketMQ 5's names and labels, in one prom-client registry. Label children are
 * resolved once per label set and cached, so a request costs one map lookup per topic, not per message.
 * Series are per topic (user-defined, as in RocketMQ); every other label takes values from a bounded set.
 */
export class BrokerMetrics implements GrpcMetrics {
  readonly #messagesIn: Counter<SendLabel>;
  readonly #throughputIn: Counter<SendLabel>;
  readonly #messageSize: Histogram<SendLabel>;
  readonly #rpcLatency: Histogram<RpcLabel>;
  readonly #producers: Gauge<'language' | 'version'>;
  readonly #consumers: Gauge<ClientLabel>;
  readonly #messagesOut: Counter<ConsumeLabel>;
  readonly #throughputOut: Counter<ConsumeLabel>;
  readonly #sendToDlq: Counter<ConsumeLabel>;
  readonly #consumeChildren = new Map<string, { messages: Counter.Internal; bytes: Counter.Internal }>();
  readonly #sendChildren = new Map<string, SendChildren>();
  readonly #rpcChildren = new Map<string, Histogram.Internal<RpcLabel>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.#messagesIn = new Counter({
      name: metricNames.messagesIn,
      help: 'Messages stored from producers',
      labelNames: ['topic', 'message_type'],
      registers,
    });
    this.#throughputIn = new Counter({
      name: metricNames.throughputIn,
      help: 'Body bytes of the messages stored from producers',
      labelNames: ['topic', 'message_type'],
      registers,
    });
    this.#messageSize = new Histogram({
      name: metricNames.messageSize,
      help: 'Body size in bytes of each message stored from producers',
      labelNames: ['topic', 'message_type'],
      buckets: MESSAGE_SIZE_BUCKETS,
      registers,
    });
    this.#messagesOut = new Counter({
      name: metricNames.messagesOut,
      help: 'Messages delivered to consumer groups, redeliveries included',
      labelNames: ['topic', 'consumer_group'],
      registers,
    });
    this.#throughputOut = new Counter({
      name: metricNames.throughputOut,
      help: 'Body bytes of the messages delivered to consumer groups',
      labelNames: ['topic', 'consumer_group'],
      registers,
    });
    this.#sendToDlq = new Counter({
      name: metricNames.sendToDlq,
      help: 'Messages moved to a consumer group\u2019s dead-letter topic',
      labelNames: ['topic', 'consumer_group'],
      registers,
    });
    this.#rpcLatency = new Histogram({
      name: metricNames.rpcLatency,
      help: 'Time in milliseconds from a unary call arriving to its response, by RPC and response status code',
      labelNames: ['protocol_type', 'request_code', 'response_code'],
      buckets: RPC_LATENCY_BUCKETS_MS,
      registers,
    });
    this.#producers = new Gauge({
      name: metricNames.producerConnections,
      help: 'Producers with an open Telemetry stream',
      labelNames: ['language', 'version'],
      registers,
    });
    this.#consumers = new Gauge({
      name: metricNames.consumerConnections,
      help: 'Consumers with an open Telemetry stream',
      labelNames: ['consumer_group', 'language', 'version'],
      registers,
    });
  }

  recordSend(topic: string, messageType: string, bodySizes: readonly number[]): void {
    if (bodySizes.length === 0) return;
    const key = `${topic}\u0000${messageType}`;
    let children = this.#sendChildren.get(key);
    if (!children) {
      const labels = { topic, message_type: messageType.toLowerCase() };
      children = {
        messages: this.#messagesIn.labels(labels),
        bytes: this.#throughputIn.labels(labels),
        size: this.#messageSize.labels(labels),
      };
      this.#sendChildren.set(key, children);
    }
    let bytes = 0;
    for (const size of bodySizes) {
      bytes += size;
      children.size.observe(size);
    }
    children.messages.inc(bodySizes.length);
    children.bytes.inc(bytes);
  }

  recordDelivered(topic: string, group: string, bodySizes: readonly number[]): void {
    const key = `${topic}\u0000${group}`;
    let children = this.#consumeChildren.get(key);
    if (!children) {
      const labels = { topic, consumer_group: group };
      children = { messages: this.#messagesOut.labels(labels), bytes: this.#throughputOut.labels(labels) };
      this.#consumeChildren.set(key, children);
    }
    let bytes = 0;
    for (const size of bodySizes) bytes += size;
    children.messages.inc(bodySizes.length);
    children.bytes.inc(bytes);
  }

  recordDeadLetter(topic: string, group: string): void {
    this.#sendToDlq.labels({ topic, consumer_group: group }).inc();
  }

  observeRpc(rpc: string, code: number, latencyMs: number): void {
    const key = `${rpc}\u0000${code}`;
    let child = this.#rpcChildren.get(key);
    if (!child) {
      child = this.#rpcLatency.labels({
        protocol_type: PROTOCOL_TYPE,
        request_code: requestCode(rpc),
        response_code: codeName(code),
      });
      this.#rpcChildren.set(key, child);
    }
    child.observe(latencyMs);
  }

  connectionOpened(client: ConnectedClient): void {
    this.#connections(client)?.inc();
  }

  connectionClosed(client: ConnectedClient): void {
    this.#connections(client)?.dec();
  }

  #connections(client: ConnectedClient): Pick<Gauge.Internal<ClientLabel>, 'inc' | 'dec'> | undefined {
    const language = client.language.toLowerCase();
    if (client.clientType === 'PRODUCER') return this.#producers.labels({ language, version: client.version });
    if (CONSUMER_TYPES.has(client.clientType)) {
      return this.#consumers.labels({ consumer_group: client.group, language, version: client.version });
    }
    return undefined;
  }
}
