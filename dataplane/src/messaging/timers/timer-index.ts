import type { Logger } from 'pino';
import type { MessageStore } from '../../storage/message-store.js';
import type { MessageInput } from '../../storage/record-codec.js';
import type { BucketFiles, TimerTopics } from './bucket-files.js';
import type { BucketSet } from './bucket-set.js';
import { IndexedOffsets } from './indexed-offsets.js';
import type { PendingCounts } from './pending-counts.js';
import { foldEntries, type TimerEntry } from './timer-entry.js';
import { readTimerRecord, SYS_TIMER_TOPIC, type TimerRecord, timerRecordOf } from './timer-records.js';
import type { TimerWindow } from './timer-window.js';

export interface TimerIndexDeps {
  readonly store: Pick<MessageStore, 'read' | 'queueOffsets'>;
  readonly log: Logger;
  readonly window: TimerWindow;
  readonly files: BucketFiles;
  readonly counts: PendingCounts;
  /** Bucket starts at or after `window.loadedUntil` that have a file. */
  readonly unloaded: BucketSet;
  readonly topicIds: TimerTopics;
  /** Origins recalled whose cancel record is not indexed yet. */
  readonly cancelling: Set<number>;
}

const SCAN_BATCH = 1024;
/** Queued bucket entries that make an indexing call write them at once rather than at the next tick. */
const FLUSH_ENTRIES = 8192;

/**
 * Indexes `__sys_timer` records into bucket files (and, for buckets in memory, the window): as they are stored (the
 * send path, recalls and moves hand them over, no read-back), and by scanning the topic on start (from the timer
 * checkpoint) and when a gap behind the indexed offsets stays (a record nobody handed over). Each record is indexed
 * once, whichever way reaches it first.
 */
export class TimerIndex {
  /** Which `__sys_timer` queue offsets are indexed. */
  private readonly indexed: IndexedOffsets;
  /** `indexed.below` at the last gap check: unchanged with a gap behind it means a record was missed. */
  private lastBelow = -1;
  private counting = false;
  private scanning: Promise<void> | undefined;

  constructor(
    private readonly deps: TimerIndexDeps,
    /** Where the last timer checkpoint says indexing stopped. */
    from: number,
  ) {
    this.indexed = new IndexedOffsets(from);
  }

  /** Every queue offset below this is indexed: what a checkpoint may record. */
  get below(): number {
    return this.indexed.below;
  }

  /**
   * Indexes the timer records among stored messages as they are stored (send path, recalls, moves): no read-back.
   * Never throws; a record it misses is found by the gap scan.
   */
  async stored(
    inputs: readonly MessageInput[],
    results: readonly { physicalOffset: bigint; queueOffset: bigint; size: number }[],
  ): Promise<void> {
    try {
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i] as MessageInput;
        const result = results[i];
        if (input.topic !== SYS_TIMER_TOPIC || !result) continue;
        const queueOffset = Number(result.queueOffset);
        const record = timerRecordOf(input.properties, Number(result.physicalOffset), queueOffset, result.size);
        await this.index(record, queueOffset);
      }
      // Written by the next tick (one write per bucket for many sends); a kill before that loses nothing: the
      // records after the checkpoint are indexed again on start.
      if (this.deps.files.queuedEntries >= FLUSH_ENTRIES)
        this.deps.files.flush().catch((err: unknown) => this.deps.log.error({ err }, 'timer bucket write failed'));
    } catch (err) {
      this.deps.log.error({ err }, 'timers not indexed as stored; the gap scan will');
    }
  }

  /** Indexes every `__sys_timer` record stored so far (on start, and before retention deletes any). */
  async catchUp(): Promise<void> {
    const target = Number(this.deps.store.queueOffsets(SYS_TIMER_TOPIC, 0).max);
    while (this.indexed.below < target) {
      const before = this.indexed.below;
      await this.scan();
      if (this.indexed.below === before) break; // nothing readable there: do not spin
    }
  }

  /** A gap behind the indexed offsets that stayed since the last check is a missed record: scan for it. */
  async closeGaps(): Promise<void> {
    const below = this.indexed.below;
    const stalled = below === this.lastBelow;
    this.lastBelow = below;
    if (stalled && below < Number(this.deps.store.queueOffsets(SYS_TIMER_TOPIC, 0).max)) await this.scan();
  }

  private scan(): Promise<void> {
    this.scanning ??= this.scanNow().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  /** Reads the timer topic from the first offset not indexed to its end, indexing what is not indexed yet. */
  private async scanNow(): Promise<void> {
    const { store } = this.deps;
    let offset = this.indexed.below;
    for (;;) {
      const result = await store.read(SYS_TIMER_TOPIC, 0, BigInt(offset), { maxCount: SCAN_BATCH, maxBytes: 8 << 20 });
      if (result.kind === 'offset-out-of-range') {
        if (BigInt(offset) >= result.minOffset) return;
        // Deleted by retention, which moved every live timer first (after a catch-up).
        offset = Number(result.minOffset);
        this.indexed.skipTo(offset);
        continue;
      }
      if (result.kind === 'no-new-message') return;
      for (const m of result.messages) {
        const queueOffset = Number(m.queueOffset);
        if (!this.indexed.has(queueOffset)) await this.index(readTimerRecord(m), queueOffset);
      }
      offset = Number(result.nextOffset);
      await this.deps.files.flush();
    }
  }

  private async index(record: TimerRecord, queueOffset: number): Promise<void> {
    if (record.kind === 'unknown') {
      this.indexed.mark(queueOffset);
      this.deps.log.warn({ queueOffset }, 'unreadable timer record skipped');
      return;
    }
    let topicId = 0;
    if (record.kind === 'scheduled') {
      topicId = this.deps.topicIds.idOf(record.topic) ?? (await this.deps.topicIds.register(record.topic));
    }
    // Whichever way (as stored, or by a scan) gets here first indexes it.
    if (!this.indexed.mark(queueOffset)) return;
    const bucket = this.deps.window.bucketOf(record.deliverAt);
    if (record.kind === 'cancel') {
      const entry: TimerEntry = {
        kind: 'cancelled',
        topicId: 0,
        deliverAt: record.deliverAt,
        origin: record.origin,
        current: 0,
        queueOffset: 0,
        size: 0,
      };
      this.write(bucket, entry);
      this.deps.cancelling.delete(record.origin);
      return;
    }
    const { deliverAt, origin, current, size } = record;
    const entry: TimerEntry = { kind: 'scheduled', topicId, deliverAt, origin, current, queueOffset, size };
    const created = this.write(bucket, entry);
    // In memory, `created` says whether it is new; on disk, a first record is (a copy keeps its origin). Until the
    // start-up count of the files is done, timers on disk are left to it.
    if (this.deps.window.isLoaded(bucket) ? created !== undefined : this.counting && record.origin === record.current) {
      this.deps.counts.add(topicId, bucket, 1);
    }
  }

  /** Appends an entry to its bucket file and applies it in memory when its bucket is loaded. */
  private write(bucket: number, entry: TimerEntry) {
    this.deps.files.append(bucket, entry);
    if (this.deps.window.isLoaded(bucket)) return this.deps.window.apply(entry);
    this.deps.unloaded.add(bucket);
    return undefined;
  }

  /** On start: pending timers per topic, from every bucket file (after the records since the checkpoint). */
  async countFromFiles(): Promise<void> {
    await this.deps.files.flush();
    for (const bucket of this.deps.unloaded) {
      for (const t of foldEntries(await this.deps.files.read(bucket)).timers.values()) {
        if (t.state === 'pending') this.deps.counts.add(t.topicId, bucket, 1);
      }
    }
    this.counting = true;
  }

  /** Resolves when no scan is running. */
  async settled(): Promise<void> {
    await this.scanning;
  }
}
