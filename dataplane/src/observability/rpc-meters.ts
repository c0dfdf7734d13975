import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { Code } from '../lib/errors.js';
import { metricNames } from '../metrics/names.js';
import type { WireMessage } from '../protocol/grpc/wire.js';
import { OK_CODE } from './rpc-attributes.js';

/**
 * The key broker counters of `/metrics` again, as OpenTelemetry instruments exported over OTLP, under RocketMQ 5's
 * names and attributes (RocketMQ's own broker exports these through OpenTelemetry too). Recorded from the wire
 * objects: messages in are the messages of a SendMessage whose entry is OK, messages out the message frames of the
 * ReceiveMessage stream. `/metrics` stays on prom-client.
 */
export const otelMetricNames = {
  messagesIn: metricNames.messagesIn,
  throughputIn: metricNames.throughputIn,
  messagesOut: metricNames.messagesOut,
  throughputOut: metricNames.throughputOut,
  rpcLatency: metricNames.rpcLatency,
} as const;

/** RocketMQ 5's `rocketmq_rpc_latency` buckets, in milliseconds, as on `/metrics`. */
const RPC_LATENCY_BUCKETS_MS = [1, 3, 5, 7, 10, 100, 1000, 2000, 3000];

/** `response_code` values as `/metrics` labels them: `ok` and lowercase Code names (`topic_not_found`). */
const CODE_NAMES = new Map<number, string>([
  [OK_CODE, 'ok'],
  ...Object.entries(Code).map(([name, code]): [number, string] => [code, name.toLowerCase()]),
]);
/** `SendMessage` → `send_message`, RocketMQ's `request_code` spelling. */
const requestCode = (rpc: string) => rpc.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();

export class RpcMeters {
  readonly #messagesIn: Counter;
  readonly #throughputIn: Counter;
  readonly #messagesOut: Counter;
  readonly #throughputOut: Counter;
  readonly #rpcLatency: Histogram;

  constructor(meter: Meter) {
    this.#messagesIn = meter.createCounter(otelMetricNames.messagesIn, {
      description: 'Messages stored from producers',
    });
    this.#throughputIn = meter.createCounter(otelMetricNames.throughputIn, {
      description: 'Body bytes of the messages stored from producers',
      unit: 'By',
    });
    this.#messagesOut = meter.createCounter(otelMetricNames.messagesOut, {
      description: 'Messages delivered to consumers',
    });
    this.#throughputOut = meter.createCounter(otelMetricNames.throughputOut, {
      description: 'Body bytes of the messages delivered to consumers',
      unit: 'By',
    });
    this.#rpcLatency = meter.createHistogram(otelMetricNames.rpcLatency, {
      description: 'Time from a unary call arriving to its response, by RPC and response status code',
      unit: 'ms',
      advice: { explicitBucketBoundaries: RPC_LATENCY_BUCKETS_MS },
    });
  }

  /** A SendMessage response: entry i reports message i of the request (one entry per message, in order). */
  recordSend(messages: readonly WireMessage[], entryCodes: readonly (number | undefined)[]): void {
    for (const [i, message] of messages.entries()) {
      if (entryCodes[i] !== OK_CODE) continue;
      const attributes = { topic: message.topic?.name ?? '', message_type: messageTypeOf(message) };
      this.#messagesIn.add(1, attributes);
      this.#throughputIn.add(message.body?.length ?? 0, attributes);
    }
  }

  /** One message frame of a ReceiveMessage stream. */
  recordDelivered(message: WireMessage, consumerGroup: string): void {
    const attributes: Attributes = {
      topic: message.topic?.name ?? '',
      message_type: messageTypeOf(message),
      consumer_group: consumerGroup,
    };
    this.#messagesOut.add(1, attributes);
    this.#throughputOut.add(message.body?.length ?? 0, attributes);
  }

  observeRpc(rpc: string, code: number, latencyMs: number): void {
    this.#rpcLatency.record(latencyMs, {
      protocol_type: 'grpc',
      request_code: requestCode(rpc),
      response_code: CODE_NAMES.get(code) ?? String(code),
    });
  }
}

/** Lowercase, as `/metrics` labels it; the official clients always declare the type. */
function messageTypeOf(message: WireMessage): string {
  const type = message.system_properties?.message_type;
  return typeof type === 'string' && type !== 'MESSAGE_TYPE_UNSPECIFIED' ? type.toLowerCase() : 'normal';
}
