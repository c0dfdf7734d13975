import type { MessageFilter } from '../../filter/filter-expression.js';
import type { MessageStore } from '../../storage/message-store.js';
import type { StoredMessage } from '../../storage/record-codec.js';

/**
 * Messages of `count` entries of a queue from `first`, within `maxBytes` (at least one), and the offset after the
 * last entry read: entries before it that yield no message are holes, expired, or filtered out by tag hash.
 */
export async function readEntries(
  store: Pick<MessageStore, 'read'>,
  topic: string,
  queueId: number,
  first: number,
  count: number,
  maxBytes: number,
  filter?: MessageFilter,
): Promise<{ messages: StoredMessage[]; nextOffset: number }> {
  const result = await store.read(topic, queueId, BigInt(first), {
    maxCount: count,
    maxBytes: Math.max(1, maxBytes),
    ...(filter?.tagHashes && { tagHashes: filter.tagHashes }),
  });
  if (result.kind === 'offset-out-of-range') return { messages: [], nextOffset: first + count };
  const end = Math.min(Number(result.nextOffset), first + count);
  return {
    messages: result.kind === 'found' ? result.messages.filter((m) => Number(m.queueOffset) < end) : [],
    nextOffset: end,
  };
}

/** The message at one queue offset, if it is still stored. */
export async function readOne(
  store: Pick<MessageStore, 'read'>,
  topic: string,
  queueId: number,
  offset: number,
  maxBytes = 1,
): Promise<StoredMessage | undefined> {
  return (await readEntries(store, topic, queueId, offset, 1, maxBytes)).messages[0];
}
