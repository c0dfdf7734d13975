import { Code, DataplaneError } from '../lib/errors.js';
import { validateMessage } from '../storage/message-limits.js';
import type { AppendResult, MessageStore } from '../storage/message-store.js';
import type { MessageInput } from '../storage/record-codec.js';
import { encodeFlags, type MessageType } from './message-flags.js';
import type { QueueSelector } from './queue-selector.js';
import { checkUserProperties, SYSTEM_PROPERTY } from './system-properties.js';
import { type DelayPolicy, recallHandleOf, scheduleDelayed } from './timers/delay-send.js';
import { acceptedMessageTypes, type TopicConfig, type Topics } from './topics.js';
import type { Transactions } from './transactions/transactions.js';

/** A message as a producer published it, before the broker placed it. */
export interface PublishedMessage {
  readonly topic: string;
  /** The queue the client addressed. */
  readonly queueId: number;
  readonly messageId: string;
  readonly type: MessageType;
  /** '' when the message has no tag. */
  readonly tag: string;
  readonly keys: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly gzipBody: boolean;
  /** Epoch ms. */
  readonly bornTimestamp: number;
  readonly messageGroup?: string;
  /** Epoch ms. */
  readonly deliveryTimestamp?: number;
  readonly liteTopic?: string;
  readonly priority?: number;
  /** Host name of the producer, as the client reports it; '' when it sent none. */
  readonly bornHost: string;
}

export interface SendReceipt {
  readonly messageId: string;
  /** Non-empty only for TRANSACTION messages. */
  readonly transactionId: string;
  /** Only for DELAY messages: what RecallMessage takes to cancel it before it is delivered. */
  readonly recallHandle?: string;
  readonly queueId: number;
  readonly queueOffset: bigint;
}

export interface SendDeps {
  readonly store: MessageStore;
  readonly topics: Topics;
  readonly queues: QueueSelector;
  /** Refuses sends while the broker drains. */
  readonly permission: { assertWritable(): void };
  /** Half messages of TRANSACTION sends; without it such sends are refused as unsupported. */
  readonly transactions?: Pick<Transactions, 'prepare' | 'stored'>;
  /** Clock and maximum delay of DELAY sends; without it such sends are refused as unsupported. */
  readonly delay?: DelayPolicy;
}

/** Types whose delivery semantics exist; the others are refused rather than stored and delivered as NORMAL. */
const SUPPORTED_TYPES: readonly MessageType[] = ['NORMAL', 'FIFO', 'TRANSACTION', 'DELAY'];

export type SendOutcome = { kind: 'stored'; receipt: SendReceipt } | { kind: 'rejected'; error: unknown };

/**
 * Checks each message against its topic and the storage limits (a bad one fails only its own outcome), then stores
 * the accepted ones in request order with one durability wait for all of them.
 */
export async function sendMessages(
  deps: SendDeps,
  messages: readonly (() => PublishedMessage)[],
  /** The sending client (`x-mq-client-id`), asked first about its unresolved transactions. */
  clientId = '',
): Promise<SendOutcome[]> {
  const checked: ({ input: MessageInput } | { error: unknown })[] = [];
  // One queue per topic per request: a batch lands back to back in one queue, so consumers read it in one go.
  const chosen = new Map<string, number>();
  for (const convert of messages) {
    try {
      const published = convert();
      let input = await toMessageInput(deps, published, chosen);
      if (published.type === 'TRANSACTION') input = toHalf(deps, input, clientId);
      if (published.type === 'DELAY') input = scheduleDelayed(deps.delay, input, published.deliveryTimestamp);
      validateMessage(input, deps.store.config.limits);
      checked.push({ input });
    } catch (error) {
      checked.push({ error });
    }
  }
  const accepted = checked.flatMap((c) => ('input' in c ? [c.input] : []));
  let stored: AppendResult[] = [];
  try {
    stored = accepted.length > 0 ? await deps.store.appendAll(accepted) : [];
  } catch (error) {
    return checked.map(() => ({ kind: 'rejected', error }));
  }
  deps.transactions?.stored(accepted, stored);
  if (deps.delay) await deps.delay.stored(accepted, stored);
  let next = 0;
  return checked.map((c): SendOutcome => {
    if ('error' in c) return { kind: 'rejected', error: c.error };
    const appended = stored[next++] as AppendResult;
    const { queueOffset } = appended;
    const { messageId, queueId } = c.input;
    const recallHandle = recallHandleOf(c.input, appended.physicalOffset);
    const transactionId = c.input.properties[SYSTEM_PROPERTY.txnId] ?? '';
    return {
      kind: 'stored',
      receipt: { messageId, transactionId, queueId, queueOffset, ...(recallHandle && { recallHandle }) },
    };
  });
}

async function toMessageInput(
  deps: SendDeps,
  msg: PublishedMessage,
  chosen: Map<string, number>,
): Promise<MessageInput> {
  deps.permission.assertWritable();
  const topic = await deps.topics.resolve(msg.topic);
  checkMessageType(msg, topic);
  checkUserProperties(msg.properties);
  return {
    topic: msg.topic,
    queueId: chooseQueue(deps.queues, msg, topic, chosen),
    messageId: msg.messageId,
    tag: msg.tag,
    keys: msg.keys,
    properties: withSystemProperties(msg),
    body: msg.body,
    bornTimestamp: msg.bornTimestamp,
    flags: encodeFlags({ type: msg.type, gzipBody: msg.gzipBody }),
  };
}

/** The user's properties plus what the broker keeps of the message outside the record's fields. */
function withSystemProperties(msg: PublishedMessage): Readonly<Record<string, string>> {
  if (msg.bornHost === '' && msg.messageGroup === undefined) return msg.properties;
  return {
    ...msg.properties,
    ...(msg.bornHost !== '' && { [SYSTEM_PROPERTY.bornHost]: msg.bornHost }),
    ...(msg.messageGroup !== undefined && { [SYSTEM_PROPERTY.messageGroup]: msg.messageGroup }),
  };
}

/** A TRANSACTION message is stored as a half message, invisible until its transaction commits. */
function toHalf(deps: SendDeps, input: MessageInput, clientId: string): MessageInput {
  if (!deps.transactions) throw new DataplaneError(Code.UNSUPPORTED, 'TRANSACTION messages are not enabled');
  return deps.transactions.prepare(input, clientId);
}

/** The client's queue id must exist on the topic, but it is a hint: the broker spreads normal messages itself. */
function chooseQueue(
  selector: QueueSelector,
  msg: PublishedMessage,
  topic: TopicConfig,
  chosen: Map<string, number>,
): number {
  if (!Number.isInteger(msg.queueId) || msg.queueId < 0 || msg.queueId >= topic.queues) {
    throw new DataplaneError(
      Code.BAD_REQUEST,
      `queue ${msg.queueId} does not exist: topic ${msg.topic} has queues 0-${topic.queues - 1}`,
    );
  }
  // All messages of a group in one queue, in send order: what a FIFO consumer group orders by.
  if (msg.messageGroup !== undefined) return queueOfGroup(msg.messageGroup, topic.queues);
  let queueId = chosen.get(msg.topic);
  if (queueId === undefined || queueId >= topic.queues) {
    queueId = selector.select(msg.topic, topic.queues);
    chosen.set(msg.topic, queueId);
  }
  return queueId;
}

/** A stable queue per message group (FNV-1a of the group's UTF-16 code units). */
function queueOfGroup(messageGroup: string, queues: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < messageGroup.length; i++) hash = Math.imul(hash ^ messageGroup.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % queues;
}

/** RocketMQ's default limit on a message group's length. */
const MAX_MESSAGE_GROUP_LENGTH = 64;

function checkMessageGroup(group: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (group === '' || group.length > MAX_MESSAGE_GROUP_LENGTH || /[\u0000-\u001f]/.test(group)) {
    throw new DataplaneError(
      Code.ILLEGAL_MESSAGE_GROUP,
      `message group must be 1-${MAX_MESSAGE_GROUP_LENGTH} characters without control characters`,
    );
  }
}

function checkMessageType(msg: PublishedMessage, topic: TopicConfig): void {
  const accepted = acceptedMessageTypes(topic.messageType);
  if (!accepted.includes(msg.type)) {
    throw conflict(`topic ${msg.topic} accepts ${accepted.join(', ')} messages, not ${msg.type}`);
  }
  if (msg.messageGroup !== undefined) checkMessageGroup(msg.messageGroup);
  const has = {
    FIFO: msg.messageGroup !== undefined,
    DELAY: msg.deliveryTimestamp !== undefined,
    LITE: msg.liteTopic !== undefined,
    PRIORITY: (msg.priority ?? 0) > 0,
  };
  for (const [type, present] of Object.entries(has)) {
    if (present !== (msg.type === type)) {
      throw conflict(
        present
          ? `a ${msg.type} message cannot carry ${propertyOf[type]}`
          : `a ${type} message needs ${propertyOf[type]}`,
      );
    }
  }
  if (!SUPPORTED_TYPES.includes(msg.type)) {
    throw new DataplaneError(Code.UNSUPPORTED, `${msg.type} messages are not supported yet`);
  }
}

const propertyOf: Record<string, string> = {
  FIFO: 'a message group',
  DELAY: 'a delivery timestamp',
  LITE: 'a lite topic',
  PRIORITY: 'a priority above 0',
};

const conflict = (message: string) => new DataplaneError(Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, message);
