import { Code, DataplaneError } from '../lib/errors.js';

/**
 * Broker-owned facts about a message that the record format has no field for (where it was born, where a dead letter
 * came from) travel in the record's property map under keys no client can send: they start with a control
 * character, which `checkUserProperties` refuses. Readers split them off again with `splitProperties`.
 */
const PREFIX = '\u0001';

export const SYSTEM_PROPERTY = {
  bornHost: `${PREFIX}bornHost`,
  /** On a dead letter: the topic the message was dead-lettered from. */
  originTopic: `${PREFIX}originTopic`,
  /** On a copy in a pop retry topic: the topic the message was sent to (and is delivered as). */
  retryOf: `${PREFIX}retryOf`,
  /** On a FIFO message: its message group (delivered as `message_group`; a FIFO consumer group orders by it). */
  messageGroup: `${PREFIX}messageGroup`,
  /** On a DELAY message: the delivery time the producer asked for, epoch ms (echoed as `delivery_timestamp`). */
  deliverAt: `${PREFIX}deliverAt`,
  /** On a half message (system topic `__sys_txn_half`): the topic and queue it commits to. */
  txnTopic: `${PREFIX}txnTopic`,
  txnQueueId: `${PREFIX}txnQueueId`,
  /** On a half message: the transaction id of its send receipt, and the client that sent it (checked first). */
  txnId: `${PREFIX}txnId`,
  txnClientId: `${PREFIX}txnClientId`,
} as const;

export interface SplitProperties {
  readonly user: Record<string, string>;
  readonly system: Record<string, string>;
}

export function splitProperties(properties: Readonly<Record<string, string>>): SplitProperties {
  let system: Record<string, string> | undefined;
  for (const key in properties) {
    if (key.startsWith(PREFIX)) {
      system ??= {};
      system[key] = properties[key] as string;
    }
  }
  if (!system) return { user: properties as Record<string, string>, system: {} };
  const user: Record<string, string> = {};
  for (const key in properties) if (!key.startsWith(PREFIX)) user[key] = properties[key] as string;
  return { user, system };
}

/** User property keys may not take the system prefix. */
export function checkUserProperties(properties: Readonly<Record<string, string>>): void {
  for (const key in properties) {
    if (key.startsWith(PREFIX)) {
      throw new DataplaneError(
        Code.ILLEGAL_MESSAGE_PROPERTY_KEY,
        'property keys may not start with a control character',
      );
    }
  }
}
