import type { MessageInput, StoredMessage } from '../../storage/record-codec.js';
import { SYSTEM_PROPERTY } from '../system-properties.js';

/**
 * Half messages are stored on one system topic (RocketMQ's RMQ_SYS_TRANS_HALF_TOPIC) that no client can name, route
 * or subscribe to: consumers cannot see them. The topic and queue they commit to, the transaction id and the sending
 * client travel as system properties; a commit writes the message again on its real topic without them.
 */
export const HALF_TOPIC = '__sys_txn_half';
export const HALF_QUEUE = 0;

/** What a half message says about its transaction. */
export interface HalfFacts {
  readonly transactionId: string;
  readonly topic: string;
  readonly queueId: number;
  /** '' when the sender sent no client id. */
  readonly clientId: string;
}

const TXN_KEYS = [
  SYSTEM_PROPERTY.txnTopic,
  SYSTEM_PROPERTY.txnQueueId,
  SYSTEM_PROPERTY.txnId,
  SYSTEM_PROPERTY.txnClientId,
] as const;

/** The half message of a TRANSACTION message about to be stored on its real topic and queue. */
export function toHalfMessage(input: MessageInput, transactionId: string, clientId: string): MessageInput {
  return {
    ...input,
    topic: HALF_TOPIC,
    queueId: HALF_QUEUE,
    properties: {
      ...input.properties,
      [SYSTEM_PROPERTY.txnTopic]: input.topic,
      [SYSTEM_PROPERTY.txnQueueId]: String(input.queueId),
      [SYSTEM_PROPERTY.txnId]: transactionId,
      [SYSTEM_PROPERTY.txnClientId]: clientId,
    },
  };
}

/** The transaction of a stored half message; undefined for anything that is not one (or a damaged one). */
export function halfFactsOf(m: Pick<StoredMessage, 'topic' | 'properties'>): HalfFacts | undefined {
  if (m.topic !== HALF_TOPIC) return undefined;
  const p = m.properties;
  const topic = p[SYSTEM_PROPERTY.txnTopic];
  const queueId = Number(p[SYSTEM_PROPERTY.txnQueueId]);
  const transactionId = p[SYSTEM_PROPERTY.txnId];
  if (!topic || !transactionId || !Number.isInteger(queueId) || queueId < 0) return undefined;
  return { transactionId, topic, queueId, clientId: p[SYSTEM_PROPERTY.txnClientId] ?? '' };
}

/** The message a commit stores: the half message's id, body, tag, keys and properties on its real topic and queue. */
export function committedMessage(half: StoredMessage, facts: HalfFacts): MessageInput {
  return {
    topic: facts.topic,
    queueId: facts.queueId,
    messageId: half.messageId,
    tag: half.tag,
    keys: half.keys,
    properties: withoutTxnKeys(half.properties),
    body: half.body,
    bornTimestamp: half.bornTimestamp,
    flags: half.flags,
  };
}

/** The half message as its producer sent it (real topic and queue, no transaction keys), for a check-back. */
export function asSentMessage(half: StoredMessage, facts: HalfFacts): StoredMessage {
  return { ...half, topic: facts.topic, queueId: facts.queueId, properties: withoutTxnKeys(half.properties) };
}

/** An identical half message, for rewriting it forward ahead of retention (same transaction id). */
export function copyOfHalf(half: StoredMessage): MessageInput {
  return {
    topic: half.topic,
    queueId: half.queueId,
    messageId: half.messageId,
    tag: half.tag,
    keys: half.keys,
    properties: half.properties,
    body: half.body,
    bornTimestamp: half.bornTimestamp,
    flags: half.flags,
  };
}

function withoutTxnKeys(properties: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in properties) {
    if (!(TXN_KEYS as readonly string[]).includes(key)) out[key] = properties[key] as string;
  }
  return out;
}
