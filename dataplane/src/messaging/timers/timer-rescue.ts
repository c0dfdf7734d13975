import type { AppendResult, MessageStore } from '../../storage/message-store.js';
import type { MessageInput } from '../../storage/record-codec.js';
import type { BucketFiles } from './bucket-files.js';
import { foldEntries } from './timer-entry.js';
import { movedInput } from './timer-records.js';
import type { TimerWindow } from './timer-window.js';

export interface RescueDeps {
  readonly store: Pick<MessageStore, 'readAt' | 'appendAll'>;
  readonly window: TimerWindow;
  readonly files: BucketFiles;
  /** Buckets not in memory (their files are read one at a time). */
  readonly unloaded: Iterable<number>;
  /** Indexes the copies as they are stored: the timers name them before the old records go. */
  readonly index: (inputs: readonly MessageInput[], results: readonly AppendResult[]) => Promise<void>;
}

const MOVE_BATCH = 256;

/**
 * Retention is about to delete the commit log below `end` (DESIGN.md §3: it never deletes live state): every pending
 * timer whose record lies there gets a copy at the end of the log that keeps its identity (origin), so its recall
 * handle stays valid. The timers in memory are checked there; the others by reading each bucket file once (retention
 * deletes one segment at a time, so this runs rarely). Returns how many were moved.
 */
export async function moveAheadOfRetention(deps: RescueDeps, end: number): Promise<number> {
  const holding: { origin: number; current: number; size: number }[] = [];
  for (const t of deps.window.holdingBelow(end)) holding.push({ origin: t.origin, current: t.current, size: t.size });
  for (const bucket of [...deps.unloaded]) {
    for (const t of foldEntries(await deps.files.read(bucket)).timers.values()) {
      if (t.state === 'pending' && t.current < end)
        holding.push({ origin: t.origin, current: t.current, size: t.size });
    }
  }
  let moved = 0;
  for (let i = 0; i < holding.length; i += MOVE_BATCH) {
    const batch = holding.slice(i, i + MOVE_BATCH);
    const records = await Promise.all(batch.map((t) => deps.store.readAt(BigInt(t.current), t.size || undefined)));
    const copies: MessageInput[] = [];
    batch.forEach((t, j) => {
      const record = records[j];
      if (record) copies.push(movedInput(record, t.origin));
    });
    if (copies.length > 0) await deps.index(copies, await deps.store.appendAll(copies));
    moved += copies.length;
  }
  return moved;
}
