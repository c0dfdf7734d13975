import { Code, DataplaneError } from '../lib/errors.js';
import { type MessageInput, propertiesSize } from './record-codec.js';

export interface MessageLimits {
  /** Default 4,128,768 (4 MiB − 64 KiB): the official client cannot receive a full 4 MiB gRPC frame. */
  readonly maxBodyBytes: number;
  readonly maxPropertiesBytes: number;
  readonly maxPropertyCount: number;
  readonly maxQueueId: number;
}

export const defaultMessageLimits: MessageLimits = {
  maxBodyBytes: 4_128_768,
  maxPropertiesBytes: 16 * 1024,
  maxPropertyCount: 128,
  maxQueueId: 1023,
};

/** RocketMQ's topic rule: 1–127 characters of letters, digits, `%`, `|`, `_` and `-` (`%` and `|` for system topics). */
const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]{1,127}$/;
const MAX_TEXT_FIELD = 1024;

export function validateTopicName(topic: string): void {
  if (!TOPIC_PATTERN.test(topic)) {
    throw new DataplaneError(
      Code.ILLEGAL_TOPIC,
      `illegal topic name ${JSON.stringify(topic.slice(0, 140))}: 1-127 characters of [%|a-zA-Z0-9_-]`,
    );
  }
}

export function validateQueueId(queueId: number, limits: MessageLimits): void {
  if (!Number.isInteger(queueId) || queueId < 0 || queueId > limits.maxQueueId) {
    throw new DataplaneError(
      Code.BAD_REQUEST,
      `illegal queue id ${queueId}: an integer from 0 to ${limits.maxQueueId}`,
    );
  }
}

/**
 * Rejects what the record format or the configured limits cannot hold, with the protocol's status code. Returns the
 * properties' encoded size, which the caller passes on to encodedSize (measured once per message).
 */
export function validateMessage(msg: MessageInput, limits: MessageLimits): number {
  validateTopicName(msg.topic);
  validateQueueId(msg.queueId, limits);
  if (msg.body.byteLength > limits.maxBodyBytes) {
    throw new DataplaneError(
      Code.MESSAGE_BODY_TOO_LARGE,
      `message body of ${msg.body.byteLength} bytes exceeds the limit of ${limits.maxBodyBytes}`,
    );
  }
  if (msg.messageId.length === 0 || msg.messageId.length > 128) {
    throw new DataplaneError(Code.ILLEGAL_MESSAGE_ID, 'message id must have 1-128 characters');
  }
  if (msg.tag.length > MAX_TEXT_FIELD || /[|\s]/.test(msg.tag)) {
    throw new DataplaneError(
      Code.ILLEGAL_MESSAGE_TAG,
      'message tag must be at most 1024 characters without | or spaces',
    );
  }
  if (msg.keys.length > 64) throw illegalKeys();
  for (const key of msg.keys) if (key.length === 0 || key.length > MAX_TEXT_FIELD) throw illegalKeys();
  let count = 0;
  for (const key in msg.properties) {
    count++;
    if (key.length === 0 || key.length > MAX_TEXT_FIELD || (msg.properties[key] as string).length > 16 * 1024) {
      throw new DataplaneError(
        Code.ILLEGAL_MESSAGE_PROPERTY_KEY,
        `illegal property ${JSON.stringify(key.slice(0, 64))}`,
      );
    }
  }
  const propertiesBytes = count === 0 ? 0 : propertiesSize(msg.properties);
  if (count > limits.maxPropertyCount || propertiesBytes > limits.maxPropertiesBytes) {
    throw new DataplaneError(
      Code.MESSAGE_PROPERTIES_TOO_LARGE,
      `properties exceed ${limits.maxPropertyCount} entries or ${limits.maxPropertiesBytes} bytes`,
    );
  }
  return propertiesBytes;
}

const illegalKeys = () =>
  new DataplaneError(Code.ILLEGAL_MESSAGE_KEY, 'at most 64 message keys of 1-1024 characters each');
