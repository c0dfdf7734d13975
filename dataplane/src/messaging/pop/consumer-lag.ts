import type { MessageStore } from '../../storage/message-store.js';
import type { PopStates } from './pop-states.js';
import { readOne } from './queue-reader.js';

export interface QueueLag {
  readonly topic: string;
  readonly queueId: number;
  readonly committedOffset: number;
  readonly maxOffset: number;
  readonly ready: number;
  readonly inflight: number;
  /** Null when nothing is ready. */
  readonly oldestReadyAgeMs: number | null;
  /** Since the message at the committed offset was stored; null when everything is consumed. */
  readonly oldestUnconsumedAgeMs: number | null;
}

/**
 * Per topic and queue of the group: messages ready to deliver (never delivered, or due again), in flight (delivered,
 * invisible), and how long the oldest ready and the oldest unconsumed message have waited since they were stored.
 */
export async function lagOf(
  states: PopStates,
  store: Pick<MessageStore, 'read' | 'queueOffsets'>,
  group: string,
  now: number,
): Promise<QueueLag[]> {
  const result: QueueLag[] = [];
  for (const s of states.ofGroup(group)) {
    for (const [queueId, state] of [...s.queues].sort(([a], [b]) => a - b)) {
      const max = Number(store.queueOffsets(s.topic, queueId).max);
      const { inflight, due } = state.counts(now);
      let oldestReady: number | undefined;
      for (const [offset, entry] of state.unacked) {
        if (entry.visibleAt <= now) {
          oldestReady = offset;
          break;
        }
      }
      if (oldestReady === undefined && state.cursor < max) oldestReady = state.cursor;
      const ready = oldestReady === undefined ? undefined : await readOne(store, s.topic, queueId, oldestReady);
      const unconsumed = state.committed < max ? await readOne(store, s.topic, queueId, state.committed) : undefined;
      result.push({
        topic: s.topic,
        queueId,
        committedOffset: state.committed,
        maxOffset: max,
        ready: Math.max(0, max - state.cursor) + due,
        inflight,
        oldestReadyAgeMs: ready ? Math.max(0, now - ready.storeTimestamp) : null,
        oldestUnconsumedAgeMs: unconsumed ? Math.max(0, now - unconsumed.storeTimestamp) : null,
      });
    }
  }
  return result;
}
