/**
 * A consumer group's committed position in one queue: the next queue offset it will consume. Pop consumption and
 * PullMessage/UpdateOffset share this one offset per (group, topic, queue), as in RocketMQ; `Consumption`
 * (messaging/pop) keeps it durably.
 */
export interface QueueOffsetStore {
  /** Undefined when the group never committed in this queue. */
  committedOffset(group: string, topic: string, queueId: number): bigint | undefined;
  /** Resolves once the offset survives a restart. */
  commitOffset(group: string, topic: string, queueId: number, offset: bigint): Promise<void>;
}
