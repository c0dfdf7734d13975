import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.js';
import { writeFileAtomic } from '../../storage/atomic-file.js';
import type { MessageStore } from '../../storage/message-store.js';
import type { TopicConfig } from '../topics.js';
import { BucketFiles, readCheckpoint, TimerTopics } from './bucket-files.js';
import { BucketSet } from './bucket-set.js';
import type { DelayPolicy } from './delay-send.js';
import { PendingCounts } from './pending-counts.js';
import { foldEntries } from './timer-entry.js';
import { type FiringDeps, fireTimers } from './timer-firing.js';
import { TimerIndex } from './timer-index.js';
import { type RecallDeps, recallTimer } from './timer-recall.js';
import { moveAheadOfRetention } from './timer-rescue.js';
import { TimerWindow } from './timer-window.js';

export interface TimerConfig {
  /** Furthest delivery time a send may ask for, from now (default 30 days). */
  readonly maxDelayMs: number;
  /** Width of one bucket file (default 5 s). */
  readonly bucketMs: number;
  /** How far ahead of now buckets are loaded into memory (default 10 s). */
  readonly lookaheadMs: number;
  /** Timers held in memory at most before loading stops (a backlog after downtime fires first). */
  readonly maxInMemory: number;
  /** Timers fired per commit-log append. */
  readonly fireBatch: number;
  /** How often the timer checkpoint is written and finished buckets deleted. */
  readonly checkpointIntervalMs: number;
  /** How often due timers are looked for (their lateness is at most about this). */
  readonly tickMs: number;
}

export const defaultTimerConfig: TimerConfig = {
  maxDelayMs: 30 * 24 * 3600_000,
  bucketMs: 5000,
  lookaheadMs: 10_000,
  maxInMemory: 500_000,
  fireBatch: 1024,
  checkpointIntervalMs: 1000,
  tickMs: 20,
};

/** What the timer service reports: per fired batch and topic, never per message. */
export interface TimerMetrics {
  /** Timers of `topic` fired, with how late each was (ms past its delivery time). */
  recordFired(topic: string, latenessMs: readonly number[]): void;
}

export interface TimerDeps {
  readonly store: Pick<MessageStore, 'read' | 'readAt' | 'appendAll' | 'queueOffsets' | 'onSegmentExpiring' | 'config'>;
  readonly topics: { get(name: string): TopicConfig | undefined };
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics?: TimerMetrics;
}

export interface TopicTimers {
  readonly topic: string;
  readonly pending: number;
  /** Epoch ms of the earliest pending timer. */
  readonly nextDueAt: number;
}

/**
 * Delay and timed messages (DESIGN.md §3). A DELAY message due later is stored as a record of the system topic
 * `__sys_timer` (timer-records.ts); that topic's queue is the durable log of timers and recalls. Its records are
 * indexed as they are stored (timer-index.ts) into time buckets on disk (`<data dir>/timer/buckets`, one append-only
 * file per 5 s of delivery time that has timers, bucket-files.ts); this service holds only the next `lookaheadMs` in
 * memory (timer-window.ts), loading bucket files as they come near, and fires due timers by storing a copy in the
 * real topic (timer-firing.ts). Fired and cancelled timers are marked in their bucket file; a bucket whose time
 * passed and whose timers are all final is deleted once the checkpoint covers it.
 *
 * Why buckets rather than RocketMQ's timer log plus wheel: the bucket files are the same two things in one (an
 * append-only log per wheel slot), a slot is read in one sequential read when it comes into the window, and files
 * need no fixed-size wheel for a 30-day horizon. Restart: the `__sys_timer` records after the checkpoint are indexed
 * again (entries are idempotent: fired and cancelled are final), and every bucket before now + lookahead is loaded,
 * so what fell due while the broker was down fires at once. A timer fires at least once: a crash between storing
 * the copy and marking it fired (microseconds) repeats it.
 */
export class TimerService {
  readonly delayPolicy: DelayPolicy;
  private readonly window: TimerWindow;
  private readonly counts = new PendingCounts();
  /** Bucket starts at or after `window.loadedUntil` that have a file. */
  private readonly unloaded: BucketSet;
  /** Loads in progress, by bucket. */
  private readonly loads = new Map<number, Promise<void>>();
  /** Origins recalled whose cancel record is not indexed yet: they must not fire, or be recalled twice. */
  private readonly cancelling = new Set<number>();
  private readonly index: TimerIndex;
  /** What the last checkpoint recorded: a restart indexes from here. */
  private durableBelow: number;
  private advancing: Promise<void> | undefined;
  private firing: Promise<void> | undefined;
  private checkpointing: Promise<void> | undefined;
  private retryAfter = 0;
  private readonly intervals: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(
    private readonly config: TimerConfig,
    private readonly deps: TimerDeps,
    private readonly files: BucketFiles,
    private readonly topicIds: TimerTopics,
    private readonly checkpointPath: string,
    buckets: readonly number[],
    scanOffset: number,
  ) {
    this.delayPolicy = {
      maxDelayMs: config.maxDelayMs,
      now: () => deps.clock.now(),
      stored: (inputs, results) => this.index.stored(inputs, results),
    };
    const nowBucket = Math.floor(deps.clock.now() / config.bucketMs) * config.bucketMs;
    this.window = new TimerWindow(config.bucketMs, Math.min(nowBucket, buckets[0] ?? nowBucket));
    this.unloaded = new BucketSet(buckets);
    this.index = new TimerIndex(
      {
        store: deps.store,
        log: deps.log,
        window: this.window,
        files,
        counts: this.counts,
        unloaded: this.unloaded,
        topicIds,
        cancelling: this.cancelling,
      },
      scanOffset,
    );
    this.durableBelow = scanOffset;
  }

  static async open(config: TimerConfig, deps: TimerDeps): Promise<TimerService> {
    const started = performance.now();
    const dir = join(deps.store.config.dataDir, 'timer');
    await mkdir(dir, { recursive: true });
    const { files, buckets } = await BucketFiles.open(join(dir, 'buckets'));
    const topicIds = await TimerTopics.open(dir);
    const checkpointPath = join(dir, 'checkpoint.json');
    const scanFrom = (await readCheckpoint(checkpointPath))?.scanOffset ?? 0;
    const service = new TimerService(config, deps, files, topicIds, checkpointPath, buckets, scanFrom);
    await service.index.catchUp();
    await service.index.countFromFiles();
    await service.checkpoint();
    service.start();
    deps.log.info(
      { pending: service.counts.pending, buckets: buckets.length, openMs: Math.round(performance.now() - started) },
      'timers opened',
    );
    return service;
  }

  private start(): void {
    const { store } = this.deps;
    store.onSegmentExpiring((range) => this.rescue(Number(range.end)));
    const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
      const timer = setInterval(() => {
        fn().catch((err: unknown) => this.deps.log.error({ err }, `${what} failed`));
      }, ms);
      timer.unref();
      this.intervals.push(timer);
    };
    every(this.config.tickMs, () => this.tick(), 'timer tick');
    every(this.config.checkpointIntervalMs, () => this.checkpoint(), 'timer checkpoint');
    every(this.config.checkpointIntervalMs, () => this.index.closeGaps(), 'timer gap scan');
  }

  /** Pending timers (scheduled, neither fired nor recalled). */
  get pending(): number {
    return this.counts.pending;
  }

  /** Timers held in memory now (the near-future window). */
  get inMemory(): number {
    return this.window.size;
  }

  /** Pending timers per topic (from counters: no I/O). */
  pendingPerTopic(): { topic: string; pending: number }[] {
    const rows: { topic: string; pending: number }[] = [];
    for (const { topicId, pending } of this.counts.topics()) {
      const topic = this.topicIds.nameOf(topicId);
      if (topic !== undefined) rows.push({ topic, pending });
    }
    return rows;
  }

  /** Pending timers per topic with the earliest delivery time, exact (a bucket not in memory is read). */
  async pendingByTopic(): Promise<TopicTimers[]> {
    const rows: TopicTimers[] = [];
    for (const { topicId, pending, firstBucket } of [...this.counts.topics()]) {
      const topic = this.topicIds.nameOf(topicId);
      if (topic === undefined) continue;
      let nextDueAt = this.window.nextDue(firstBucket, topicId);
      if (nextDueAt === undefined && !this.window.isLoaded(firstBucket)) {
        for (const t of foldEntries(await this.files.read(firstBucket)).timers.values()) {
          if (t.topicId === topicId && t.state === 'pending' && (nextDueAt === undefined || t.deliverAt < nextDueAt)) {
            nextDueAt = t.deliverAt;
          }
        }
      }
      rows.push({ topic, pending, nextDueAt: nextDueAt ?? firstBucket });
    }
    return rows.sort((a, b) => a.topic.localeCompare(b.topic));
  }

  /** Recalls a timer not yet fired; NOT_FOUND after it fired or was recalled, BAD_REQUEST for a malformed handle. */
  async recall(topic: string, handle: string): Promise<{ messageId: string }> {
    return recallTimer(this.recallDeps(), topic, handle);
  }

  private flushFiles(): void {
    this.files.flush().catch((err: unknown) => this.deps.log.error({ err }, 'timer bucket write failed'));
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    if (this.files.queuedEntries > 0) this.flushFiles();
    this.advancing ??= this.advance().finally(() => {
      this.advancing = undefined;
    });
    if (!this.firing && this.deps.clock.now() >= this.retryAfter) {
      this.firing = this.fireAll().finally(() => {
        this.firing = undefined;
      });
    }
    await Promise.all([this.advancing, this.firing]);
  }

  /** Loads bucket files, in time order, until the window reaches now + lookahead or memory holds its maximum. */
  private async advance(): Promise<void> {
    const horizon = this.deps.clock.now() + this.config.lookaheadMs;
    while (!this.closed && this.window.size < this.config.maxInMemory) {
      const next = this.unloaded.first();
      if (next === undefined || next >= horizon) {
        this.window.skipTo(Math.min(next ?? Number.POSITIVE_INFINITY, this.window.bucketOf(horizon)));
        return;
      }
      const bucket = next;
      this.window.skipTo(bucket);
      this.window.beginLoad(bucket);
      this.unloaded.delete(bucket);
      const load = this.files.read(bucket).then((entries) => this.window.finishLoad(bucket, foldEntries(entries)));
      this.loads.set(bucket, load);
      try {
        await load;
      } finally {
        this.loads.delete(bucket);
      }
    }
  }

  private async fireAll(): Promise<void> {
    const deps = this.firingDeps();
    for (;;) {
      const outcome = await fireTimers(deps, this.config.fireBatch);
      if (outcome === 'failed') this.retryAfter = this.deps.clock.now() + 1000;
      if (outcome !== 'full') return;
    }
  }

  private firingDeps(): FiringDeps {
    return {
      store: this.deps.store,
      topics: this.deps.topics,
      clock: this.deps.clock,
      log: this.deps.log,
      window: this.window,
      files: this.files,
      counts: this.counts,
      topicName: (id) => this.topicIds.nameOf(id),
      skip: (t) => this.cancelling.has(t.origin),
      ...(this.deps.metrics && { metrics: this.deps.metrics }),
    };
  }

  private recallDeps(): RecallDeps {
    return {
      store: this.deps.store,
      clock: this.deps.clock,
      window: this.window,
      files: this.files,
      counts: this.counts,
      cancelling: this.cancelling,
      loading: (bucket) => this.loads.get(bucket),
      index: (inputs, results) => this.index.stored(inputs, results),
    };
  }

  /** Retention is about to delete the log below `end`: copy every pending timer held there further ahead. */
  private async rescue(end: number): Promise<void> {
    await this.index.catchUp();
    const moved = await moveAheadOfRetention(
      {
        store: this.deps.store,
        window: this.window,
        files: this.files,
        unloaded: this.unloaded,
        index: (inputs, results) => this.index.stored(inputs, results),
      },
      end,
    );
    if (moved === 0) return;
    await this.checkpoint();
    this.deps.log.info({ moved, before: end }, 'pending timers moved ahead of retention');
  }

  /** Syncs the bucket files, records how far the timer topic is indexed, and deletes finished buckets. */
  checkpoint(): Promise<void> {
    this.checkpointing ??= this.checkpointNow().finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  private async checkpointNow(): Promise<void> {
    const target = this.index.below;
    if (target !== this.durableBelow) {
      await this.files.sync();
      await writeFileAtomic(this.checkpointPath, JSON.stringify({ version: 1, scanOffset: target }));
      this.durableBelow = target;
    } else {
      await this.files.flush();
    }
    for (const bucket of this.window.doneBuckets(this.deps.clock.now(), this.durableBelow)) {
      this.window.drop(bucket);
      await this.files.remove(bucket);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.intervals) clearInterval(t);
    this.intervals.length = 0;
    await Promise.allSettled([this.index.settled(), this.advancing, this.firing]);
    await this.checkpoint();
    await this.files.close();
  }
}
