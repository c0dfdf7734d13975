import { crc32 } from 'node:zlib';
import type { ConsumeQueue } from './consume-queue.js';
import type { MessageIndex } from './message-index.js';

/** What the dispatcher needs of a record besides its place in the commit log. */
export interface DispatchRequest {
  readonly queue: ConsumeQueue;
  readonly queueOffset: number;
  readonly tagHash: number;
  readonly storeTimestamp: number;
  readonly indexKeys: readonly string[];
}

/** Index keys are scoped by topic: ids and keys are only unique (if at all) within one. */
export const messageIdIndexKey = (topic: string, messageId: string): string => `${topic}\u0001I${messageId}`;
export const messageKeyIndexKey = (topic: string, key: string): string => `${topic}\u0001K${key}`;

export function indexKeysFor(topic: string, messageId: string, keys: readonly string[]): string[] {
  const result = [messageIdIndexKey(topic, messageId)];
  for (const key of keys) result.push(messageKeyIndexKey(topic, key));
  return result;
}

/** Stable 32-bit tag hash carried by consume-queue entries ('' = no tag = 0). */
export const tagHashOf = (tag: string): number => (tag === '' ? 0 : crc32(tag));

export class QueueGapError extends Error {
  constructor(
    readonly queueDir: string,
    readonly expected: bigint,
    readonly got: bigint,
  ) {
    super(`consume queue ${queueDir} expected offset ${expected}, record has ${got}`);
  }
}

/**
 * Builds consume queues and the message index from records in commit-log order, whether they were just written or
 * are being re-read by recovery: one code path for both.
 */
export class Dispatcher {
  /** Offset after the last dispatched record. */
  dispatchedEnd: number;
  readonly dirtyQueues = new Set<ConsumeQueue>();

  /**
   * `repairing`: records lost to corruption leave gaps in their queues; fill them with holes (size-0 entries that
   * readers step over) instead of failing.
   */
  constructor(
    private readonly index: MessageIndex,
    startOffset: number,
    private readonly repairing = false,
  ) {
    this.dispatchedEnd = startOffset;
  }

  dispatch(request: DispatchRequest, physicalOffset: number, size: number): void {
    const { queue } = request;
    if (this.repairing) {
      while (queue.end < request.queueOffset) queue.put(queue.end, physicalOffset, 0, 0);
    }
    if (!queue.put(request.queueOffset, physicalOffset, size, request.tagHash)) {
      throw new QueueGapError(queue.dir, BigInt(queue.end), BigInt(request.queueOffset));
    }
    this.dirtyQueues.add(queue);
    const offset = BigInt(physicalOffset);
    for (const key of request.indexKeys) this.index.add(key, offset, request.storeTimestamp);
    this.dispatchedEnd = physicalOffset + size;
  }
}
