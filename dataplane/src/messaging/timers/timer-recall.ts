import type { Clock } from '../../lib/clock.js';
import { Code, DataplaneError } from '../../lib/errors.js';
import type { AppendResult, MessageStore } from '../../storage/message-store.js';
import type { MessageInput } from '../../storage/record-codec.js';
import type { BucketFiles } from './bucket-files.js';
import type { PendingCounts } from './pending-counts.js';
import { foldEntries } from './timer-entry.js';
import { cancelInput, decodeRecallHandle, TIMER_PROPERTY } from './timer-records.js';
import type { TimerWindow } from './timer-window.js';

export interface RecallDeps {
  readonly store: Pick<MessageStore, 'readAt' | 'appendAll'>;
  readonly clock: Clock;
  readonly window: TimerWindow;
  readonly files: BucketFiles;
  readonly counts: PendingCounts;
  readonly cancelling: Set<number>;
  /** The load of `bucket` in progress, if any. */
  readonly loading: (bucket: number) => Promise<void> | undefined;
  /** Indexes stored timer records (the cancel record, at once). */
  readonly index: (inputs: readonly MessageInput[], results: readonly AppendResult[]) => Promise<void>;
}

const gone = () =>
  new DataplaneError(Code.NOT_FOUND, 'no such pending message: delivered already, recalled, or unknown');

/**
 * Cancels a pending timer: checks it is still pending (in memory when its bucket is loaded, else in its bucket file),
 * blocks it from firing, and stores a cancel record in `__sys_timer` (durable like the timer) before answering.
 */
export async function recallTimer(deps: RecallDeps, topic: string, handle: string): Promise<{ messageId: string }> {
  const ref = decodeRecallHandle(handle);
  if (!ref) throw new DataplaneError(Code.BAD_REQUEST, 'malformed recall handle');
  const { window } = deps;
  const bucket = window.bucketOf(ref.deliverAt);
  for (;;) {
    if (window.isLoaded(bucket)) {
      await deps.loading(bucket);
      return recallLoaded(deps, topic, ref.origin, ref.deliverAt);
    }
    const timer = foldEntries(await deps.files.read(bucket)).timers.get(ref.origin);
    if (timer?.state !== 'pending' || deps.cancelling.has(ref.origin)) throw gone();
    const record = await deps.store.readAt(BigInt(timer.current), timer.size || undefined);
    if (window.isLoaded(bucket)) continue; // it came into the window meanwhile: decide on the loaded state
    if (!record || record.properties[TIMER_PROPERTY.topic] !== topic) throw gone();
    if (deps.cancelling.has(ref.origin)) throw gone();
    deps.cancelling.add(ref.origin);
    try {
      await storeCancel(deps, record.messageId, ref.origin, ref.deliverAt);
    } catch (err) {
      deps.cancelling.delete(ref.origin);
      throw err;
    }
    deps.counts.add(timer.topicId, bucket, -1);
    return { messageId: record.messageId };
  }
}

async function recallLoaded(
  deps: RecallDeps,
  topic: string,
  origin: number,
  deliverAt: number,
): Promise<{ messageId: string }> {
  const { window } = deps;
  const timer = window.find(origin, deliverAt);
  if (timer?.state !== 'pending' || deps.cancelling.has(origin)) throw gone();
  const record = await deps.store.readAt(BigInt(timer.current), timer.size || undefined);
  if (!record || record.properties[TIMER_PROPERTY.topic] !== topic) throw gone();
  // It may have started firing while the record was read.
  if (!window.cancel(timer)) throw gone();
  deps.cancelling.add(origin);
  try {
    await storeCancel(deps, record.messageId, origin, deliverAt);
  } catch (err) {
    deps.cancelling.delete(origin);
    window.uncancel(timer);
    throw err;
  }
  deps.counts.add(timer.topicId, timer.bucket, -1);
  return { messageId: record.messageId };
}

async function storeCancel(deps: RecallDeps, messageId: string, origin: number, deliverAt: number): Promise<void> {
  const inputs = [cancelInput(messageId, origin, deliverAt, deps.clock.now())];
  await deps.index(inputs, await deps.store.appendAll(inputs));
}
