import { Code, DataplaneError } from '../../lib/errors.js';
import { MESSAGE_TYPES, type MessageType } from '../../messaging/message-flags.js';
import type { PublishedMessage, SendReceipt } from '../../messaging/send.js';
import { acceptedMessageTypes, type TopicConfig } from '../../messaging/topics.js';
import type {
  SendResultEntry,
  WireDuration,
  WireEndpoints,
  WireLong,
  WireMessage,
  WireMessageQueue,
  WireStatus,
  WireTimestamp,
} from './wire.js';

/** Epoch ms of a protobuf Timestamp; undefined when absent. */
export function msFromTimestamp(ts: WireTimestamp | undefined): number | undefined {
  if (!ts) return undefined;
  return Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000);
}

export function durationFromMs(ms: number): WireDuration {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/**
 * A `SendMessageRequest` message as the domain sees it. `now` stands in for a missing born timestamp. Rejects what
 * cannot be represented (unknown type or encoding, a namespace) with the protocol's code; limits are checked by storage.
 */
export function toPublishedMessage(wire: WireMessage, now: number): PublishedMessage {
  const sys = wire.system_properties;
  if (!sys) throw new DataplaneError(Code.BAD_REQUEST, 'message without system properties');
  if (wire.topic?.resource_namespace) {
    throw new DataplaneError(Code.UNSUPPORTED, 'resource namespaces are not supported yet');
  }
  const optional = {
    ...(sys.message_group !== undefined && { messageGroup: sys.message_group }),
    ...(sys.delivery_timestamp !== undefined && { deliveryTimestamp: msFromTimestamp(sys.delivery_timestamp) }),
    ...(sys.lite_topic !== undefined && { liteTopic: sys.lite_topic }),
    ...(sys.priority !== undefined && { priority: sys.priority }),
  };
  return {
    topic: wire.topic?.name ?? '',
    queueId: sys.queue_id ?? 0,
    messageId: sys.message_id ?? '',
    type: messageTypeOf(sys.message_type, optional),
    tag: sys.tag ?? '',
    keys: sys.keys ?? [],
    properties: wire.user_properties ?? {},
    body: wire.body ?? Buffer.alloc(0),
    gzipBody: isGzip(sys.body_encoding),
    bornTimestamp: msFromTimestamp(sys.born_timestamp) ?? now,
    bornHost: sys.born_host ?? '',
    ...optional,
  };
}

/** The declared type; an unspecified one is derived from the properties the way the client derives it. */
function messageTypeOf(
  wire: string | number | undefined,
  props: Pick<PublishedMessage, 'messageGroup' | 'deliveryTimestamp' | 'liteTopic' | 'priority'>,
): MessageType {
  if (wire === undefined || wire === 'MESSAGE_TYPE_UNSPECIFIED' || wire === 0) {
    if (props.messageGroup !== undefined) return 'FIFO';
    if (props.liteTopic !== undefined) return 'LITE';
    if (props.deliveryTimestamp !== undefined) return 'DELAY';
    if ((props.priority ?? 0) > 0) return 'PRIORITY';
    return 'NORMAL';
  }
  const type = MESSAGE_TYPES.find((t) => t === wire);
  if (!type) throw new DataplaneError(Code.BAD_REQUEST, `unknown message type ${wire}`);
  return type;
}

function isGzip(encoding: string | number | undefined): boolean {
  if (encoding === undefined || encoding === 'ENCODING_UNSPECIFIED' || encoding === 'IDENTITY') return false;
  if (encoding === 'GZIP') return true;
  throw new DataplaneError(Code.BAD_REQUEST, `unknown body encoding ${encoding}`);
}

/**
 * An int64 for the serializer: a number while exact (fromObject parses a decimal string into a Long, per message,
 * which showed in send profiles), a decimal string beyond 2^53.
 */
export function wireLong(value: bigint): WireLong {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : String(value);
}

export function toSendResultEntry(receipt: SendReceipt, status: WireStatus): SendResultEntry {
  return {
    status,
    message_id: receipt.messageId,
    transaction_id: receipt.transactionId,
    offset: wireLong(receipt.queueOffset),
    ...(receipt.recallHandle !== undefined && { recall_handle: receipt.recallHandle }),
  };
}

/**
 * One advertised `host:port` as route endpoints (the client accepts exactly one address per broker, and no IPv6
 * literal; PROTOCOL.md §0.14).
 */
export function endpointsOf(advertise: string): WireEndpoints {
  const match = /^([^:\s]+):(\d{1,5})$/.exec(advertise);
  const port = Number(match?.[2]);
  if (!match?.[1] || !(port > 0 && port < 65536)) {
    throw new RangeError(`advertised endpoint must be host:port, got ${JSON.stringify(advertise)}`);
  }
  const host = match[1];
  return { scheme: /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? 'IPv4' : 'DOMAIN_NAME', addresses: [{ host, port }] };
}

export interface BrokerIdentity {
  readonly name: string;
  readonly endpoints: WireEndpoints;
}

/** A broker's queues of a topic, ids 0..n-1, broker id 0 (the master); read-only while the broker drains. */
export function toMessageQueues(
  topic: string,
  config: TopicConfig,
  broker: BrokerIdentity,
  permission: 'READ_WRITE' | 'READ' = 'READ_WRITE',
): WireMessageQueue[] {
  const accept = [...acceptedMessageTypes(config.messageType)];
  return Array.from({ length: config.queues }, (_, id) => ({
    topic: { name: topic, resource_namespace: '' },
    id,
    permission,
    broker: { name: broker.name, id: 0, endpoints: broker.endpoints },
    accept_message_types: accept,
  }));
}
