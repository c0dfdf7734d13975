import type { MessageStore } from './message-store.js';

/** Holes (size-0 entries left by `--repair`) are skipped this many at a time while looking for a timestamp. */
const HOLE_SCAN = 1024;

/**
 * The first queue offset whose message was stored at or after `timestampMs`: where a consumer resets to "from this
 * time on". Precisely, one past the last message stored before that time (holes left by `--repair` right after it are
 * included), the queue's end when every message is older, its start when none is. A binary search over the consume
 * queue; each probe reads one record (store timestamps grow with queue offsets: both follow commit-log order).
 */
export async function offsetByTime(
  store: Pick<MessageStore, 'read' | 'queueOffsets'>,
  topic: string,
  queueId: number,
  timestampMs: number,
): Promise<bigint> {
  let { min: lo, max: hi } = store.queueOffsets(topic, queueId);
  // Invariant: every message below `lo` is older than the time, every message from `hi` on is not.
  while (lo < hi) {
    const probe = await firstMessageFrom(store, topic, queueId, lo + (hi - lo) / 2n, hi);
    if (!probe) {
      // Retention moved the start past `lo` (nothing older is left to find), or only holes lie between probe and `hi`.
      const { min } = store.queueOffsets(topic, queueId);
      if (min > lo) lo = min;
      else hi = lo + (hi - lo) / 2n;
    } else if (probe.storeTimestamp >= timestampMs) {
      hi = probe.offset;
    } else {
      lo = probe.offset + 1n;
    }
  }
  return lo;
}

/** The first message at or after `from` and before `end` (skipping holes), or undefined. */
async function firstMessageFrom(
  store: Pick<MessageStore, 'read'>,
  topic: string,
  queueId: number,
  from: bigint,
  end: bigint,
): Promise<{ offset: bigint; storeTimestamp: number } | undefined> {
  let at = from;
  while (at < end) {
    // One record at most: a hole has size 0, so only holes fit beside the first entry within one byte.
    const read = await store.read(topic, queueId, at, { maxCount: HOLE_SCAN, maxBytes: 1 });
    if (read.kind !== 'found') return undefined;
    const [message] = read.messages;
    if (message) {
      return message.queueOffset < end
        ? { offset: message.queueOffset, storeTimestamp: message.storeTimestamp }
        : undefined;
    }
    at = read.nextOffset;
  }
  return undefined;
}
