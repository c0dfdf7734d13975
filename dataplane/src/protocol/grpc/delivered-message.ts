import { crc32 } from 'node:zlib';
import { decodeFlags } from '../../messaging/message-flags.js';
import { SYSTEM_PROPERTY, splitProperties } from '../../messaging/system-properties.js';
import type { StoredMessage } from '../../storage/record-codec.js';
import { durationFromMs } from './convert.js';
import type { WireMessage, WireSystemProperties, WireTimestamp } from './wire.js';

/** How this delivery differs from the stored message. */
export interface Delivery {
  /** ≥ 1: the client asserts it (PROTOCOL.md §0.6). */
  readonly attempt: number;
  /** Absent for queue-level reads (PullMessage), which have no handle. */
  readonly receiptHandle?: string;
  readonly invisibleMs?: number;
}

/**
 * A stored message as a consumer receives it (PROTOCOL.md §7.4). The body digest is CRC32 in unsigned decimal, which
 * the client checks like MD5 at a fraction of the cost; it covers the body as stored and sent (gzip included).
 * A dead letter carries its origin topic in `dead_letter_queue` and keeps its message id; a copy from a pop retry
 * topic is delivered as a message of the topic it was sent to.
 */
export function toDeliveredMessage(m: StoredMessage, delivery: Delivery, storeHost: string): WireMessage {
  const { user, system } = splitProperties(m.properties);
  const flags = decodeFlags(m.flags);
  const originTopic = system[SYSTEM_PROPERTY.originTopic];
  const sys: WireSystemProperties = {
    keys: [...m.keys],
    message_id: m.messageId,
    body_digest: { type: 'CRC32', checksum: String(crc32(m.body)) },
    body_encoding: flags?.gzipBody ? 'GZIP' : 'IDENTITY',
    message_type: flags?.type ?? 'NORMAL',
    born_timestamp: timestampOf(m.bornTimestamp),
    born_host: system[SYSTEM_PROPERTY.bornHost] ?? '',
    store_timestamp: timestampOf(m.storeTimestamp),
    store_host: storeHost,
    queue_id: m.queueId,
    queue_offset: String(m.queueOffset),
    delivery_attempt: delivery.attempt,
  };
  if (m.tag !== '') sys.tag = m.tag;
  if (delivery.receiptHandle !== undefined) sys.receipt_handle = delivery.receiptHandle;
  if (delivery.invisibleMs !== undefined) sys.invisible_duration = durationFromMs(delivery.invisibleMs);
  const messageGroup = system[SYSTEM_PROPERTY.messageGroup];
  if (messageGroup !== undefined) sys.message_group = messageGroup;
  if (originTopic !== undefined) sys.dead_letter_queue = { topic: originTopic, message_id: m.messageId };
  const deliverAt = system[SYSTEM_PROPERTY.deliverAt];
  if (deliverAt !== undefined) sys.delivery_timestamp = timestampOf(Number(deliverAt));
  return {
    topic: { name: system[SYSTEM_PROPERTY.retryOf] ?? m.topic, resource_namespace: '' },
    user_properties: user,
    system_properties: sys,
    body: m.body,
  };
}

function timestampOf(ms: number): WireTimestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
