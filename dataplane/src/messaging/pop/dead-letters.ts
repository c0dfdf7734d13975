import type { MessageStore } from '../../storage/message-store.js';
import type { StoredMessage } from '../../storage/record-codec.js';
import { SYSTEM_PROPERTY } from '../system-properties.js';
import type { TopicConfig } from '../topics.js';

/** RocketMQ's dead-letter topic of a consumer group. */
export const deadLetterTopicOf = (group: string): string => `%DLQ%${group}`;

export interface DeadLetterDeps {
  readonly store: Pick<MessageStore, 'append'>;
  readonly topics: {
    get(name: string): TopicConfig | undefined;
    put(name: string, config: TopicConfig): Promise<TopicConfig>;
  };
  /** Counts dead letters per group and origin topic. */
  readonly onDeadLetter?: (group: string, topic: string) => void;
}

/**
 * Copies messages that exhausted their delivery attempts into `%DLQ%<group>` (created on first use with one queue),
 * keeping the message id, tag, keys, properties and body, and recording the origin topic so that delivering the
 * dead letter can say where it came from (`dead_letter_queue`, PROTOCOL.md §7.13).
 */
export class DeadLetters {
  constructor(private readonly deps: DeadLetterDeps) {}

  async send(group: string, message: StoredMessage): Promise<void> {
    const topic = deadLetterTopicOf(group);
    const origin = message.properties[SYSTEM_PROPERTY.retryOf] ?? message.topic;
    if (!this.deps.topics.get(topic)) await this.deps.topics.put(topic, { messageType: 'MIXED', queues: 1 });
    await this.deps.store.append({
      topic,
      queueId: 0,
      messageId: message.messageId,
      tag: message.tag,
      keys: message.keys,
      properties: withoutRetryOf({ ...message.properties, [SYSTEM_PROPERTY.originTopic]: origin }),
      body: message.body,
      bornTimestamp: message.bornTimestamp,
      flags: message.flags,
    });
    this.deps.onDeadLetter?.(group, origin);
  }
}

function withoutRetryOf(properties: Record<string, string>): Record<string, string> {
  delete properties[SYSTEM_PROPERTY.retryOf];
  return properties;
}
