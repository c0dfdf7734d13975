import { mkdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import { writeCheckpoint } from './checkpoint.js';
import { CommitLog } from './commit-log.js';
import type { ConsumeQueueSet } from './consume-queue-set.js';
import { DirLock } from './dir-lock.js';
import {
  type Dispatcher,
  type DispatchRequest,
  indexKeysFor,
  messageIdIndexKey,
  messageKeyIndexKey,
  tagHashOf,
} from './dispatcher.js';
import type { MessageIndex } from './message-index.js';
import { validateMessage, validateQueueId, validateTopicName } from './message-limits.js';
import { type ReadLimits, type ReadResult, readQueue } from './queue-read.js';
import { decodeRecord, encodedSize, type MessageInput, type StoredMessage } from './record-codec.js';
import { type DiskUsage, segmentsToDelete } from './retention.js';
import { SegmentSet } from './segment-set.js';
import { type FileOpener, nodeFiles } from './storage-file.js';
import type { StoreConfig } from './store-config.js';
import { type RecoveredState, recoverDerivedState, type StoreDirs } from './store-recovery.js';

export type { ReadLimits, ReadResult } from './queue-read.js';

export interface AppendResult {
  readonly physicalOffset: bigint;
  readonly queueOffset: bigint;
  readonly size: number;
  readonly storeTimestamp: number;
}

/** A sealed segment about to be deleted; owners of live state in it rewrite it forward before the hook returns. */
export interface ExpiringRange {
  readonly start: bigint;
  readonly end: bigint;
}
export type RetentionHook = (range: ExpiringRange) => Promise<void>;

export interface OpenReport {
  readonly openMs: number;
  readonly recoveredFrom: bigint;
  readonly redispatchedRecords: number;
  readonly tornBytes: number;
  readonly rebuilt: boolean;
}

export interface StoreDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** Seam for tests that observe writes and syncs; real files by default. */
  readonly files?: FileOpener;
  /** Disk usage of the data directory's filesystem; statfs by default. */
  readonly diskUsage?: () => Promise<DiskUsage>;
}

const MAX_LOOKUP_CANDIDATES = 256;

/**
 * The broker's storage: one commit log (the only truth), consume queues per (topic, queue) and a message index derived
 * from it, a checkpoint of how far derived state is durable, recovery, and retention.
 */
export class MessageStore {
  private readonly retentionHooks: RetentionHook[] = [];
  private readonly appendListeners: ((topic: string) => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private checkpointing: Promise<void> | undefined;
  private retaining: Promise<{ deletedSegments: number }> | undefined;
  private lastCheckpoint = 0;

  private readonly queues: ConsumeQueueSet;
  private readonly index: MessageIndex;
  private readonly dispatcher: Dispatcher;

  private constructor(
    readonly config: StoreConfig,
    private readonly deps: StoreDeps,
    private readonly segments: SegmentSet,
    private readonly log: CommitLog<DispatchRequest>,
    state: RecoveredState,
    readonly openReport: OpenReport,
    private readonly lock: DirLock,
  ) {
    this.queues = state.queues;
    this.index = state.index;
    this.dispatcher = state.dispatcher;
    this.lastCheckpoint = state.dispatcher.dispatchedEnd;
  }

  static async open(config: StoreConfig, deps: StoreDeps): Promise<MessageStore> {
    const started = performance.now();
    const dirs: StoreDirs = {
      log: join(config.dataDir, 'commitlog'),
      cq: join(config.dataDir, 'consumequeue'),
      index: join(config.dataDir, 'index'),
    };
    await mkdir(dirs.log, { recursive: true });
    const lock = await DirLock.acquire(config.dataDir);
    try {
      const segments = await SegmentSet.open(dirs.log, deps.files ?? nodeFiles);
      const state = await recoverDerivedState(config, deps.log, dirs, segments);
      const { dispatcher } = state;
      const log = new CommitLog<DispatchRequest>(segments, config, (request, offset, size) =>
        dispatcher.dispatch(request, offset, size),
      );
      const report: OpenReport = {
        openMs: performance.now() - started,
        recoveredFrom: BigInt(state.recoveredFrom),
        redispatchedRecords: state.redispatchedRecords,
        tornBytes: state.tornBytes,
        rebuilt: state.rebuilt,
      };
      const store = new MessageStore(config, deps, segments, log, state, report, lock);
      await store.checkpoint();
      store.startTimers();
      const offsets = { minOffset: String(log.minOffset), maxOffset: String(log.maxOffset) };
      deps.log.info({ ...report, recoveredFrom: String(report.recoveredFrom), ...offsets }, 'storage opened');
      return store;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  private startTimers(): void {
    const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
      const timer = setInterval(() => {
        fn().catch((err: unknown) => this.deps.log.error({ err }, `${what} failed`));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.config.checkpointIntervalMs, () => this.checkpoint(), 'checkpoint');
    every(this.config.retentionCheckIntervalMs, () => this.enforceRetention(), 'retention');
  }

  /** Appends one message; resolves when it is as durable as the flush mode promises, and visible to readers. */
  async append(msg: MessageInput): Promise<AppendResult> {
    const [result] = await this.appendAll([msg]);
    return result as AppendResult;
  }

  /**
   * Appends messages in order with one durability wait for all (a SendMessage of many messages). Every message is
   * validated before any is stored: a bad one rejects the whole call and stores nothing.
   */
  async appendAll(messages: readonly MessageInput[]): Promise<AppendResult[]> {
    const propertiesBytes = messages.map((msg) => validateMessage(msg, this.config.limits));
    if (this.log.mustWait) await this.log.waitForSpace();
    this.log.assertWritable(); // before offsets are handed out, so a refusal leaves no gap in a queue
    const results: AppendResult[] = [];
    // Synchronous from here to the last log.append: queue offsets are handed out in commit-log order.
    messages.forEach((msg, i) => {
      const queue = this.queues.getOrCreate(msg.topic, msg.queueId);
      const storeTimestamp = this.deps.clock.now();
      const tagHash = tagHashOf(msg.tag);
      const queueOffset = queue.assignOffset();
      const size = encodedSize(msg, propertiesBytes[i]);
      const request: DispatchRequest = {
        queue,
        queueOffset,
        tagHash,
        storeTimestamp,
        indexKeys: indexKeysFor(msg.topic, msg.messageId, msg.keys),
      };
      const physicalOffset = this.log.append(msg, size, { queueOffset, storeTimestamp, tagHash }, request);
      results.push({ physicalOffset: BigInt(physicalOffset), queueOffset: BigInt(queueOffset), size, storeTimestamp });
    });
    await this.log.durable();
    if (this.appendListeners.length > 0) this.announce(messages);
    return results;
  }

  /** `listener` hears each topic that received messages, once per append call, when they are readable and durable. */
  onAppended(listener: (topic: string) => void): void {
    this.appendListeners.push(listener);
  }

  private announce(messages: readonly MessageInput[]): void {
    let last = '';
    for (const { topic } of messages) {
      if (topic === last) continue;
      last = topic;
      for (const listener of this.appendListeners) listener(topic);
    }
  }

  /** Messages of one queue from `offset`, streamed from disk by positional reads (never whole segments). */
  async read(topic: string, queueId: number, offset: bigint, limits: ReadLimits): Promise<ReadResult> {
    validateTopicName(topic);
    validateQueueId(queueId, this.config.limits);
    const queue = this.queues.get(topic, queueId);
    const min = queue?.minOffset ?? 0n;
    const max = queue?.maxOffset ?? 0n;
    if (offset < min || offset > max) return { kind: 'offset-out-of-range', minOffset: min, maxOffset: max };
    if (!queue || offset === max) return { kind: 'no-new-message', nextOffset: offset };
    return readQueue(queue, this.log, offset, limits);
  }

  /** Every stored message of `topic` with this id (client-generated ids may repeat), newest first. */
  lookupByMessageId(topic: string, messageId: string, max = 32): Promise<StoredMessage[]> {
    validateTopicName(topic);
    return this.lookup(messageIdIndexKey(topic, messageId), max, (m) => m.topic === topic && m.messageId === messageId);
  }

  /** Every stored message of `topic` carrying `key`, newest first. */
  lookupByKey(topic: string, key: string, max = 32): Promise<StoredMessage[]> {
    validateTopicName(topic);
    return this.lookup(messageKeyIndexKey(topic, key), max, (m) => m.topic === topic && m.keys.includes(key));
  }

  private async lookup(key: string, max: number, matches: (m: StoredMessage) => boolean): Promise<StoredMessage[]> {
    const found: StoredMessage[] = [];
    const min = this.log.minOffset;
    for (const offset of await this.index.lookup(key, MAX_LOOKUP_CANDIDATES)) {
      if (found.length >= max) break;
      if (offset < min) continue;
      const message = await this.readAt(offset);
      // The index is verified, not trusted: hash collisions and entries left by a crash fail these checks.
      if (message && matches(message)) found.push(message);
    }
    return found;
  }

  /**
   * The record starting at `offset`, or undefined when none (valid) starts there. A caller that knows the record's
   * size (timers keep it) passes it and saves a read; a wrong one finds no record.
   */
  async readAt(offset: bigint, knownSize?: number): Promise<StoredMessage | undefined> {
    let size = knownSize;
    if (size === undefined) {
      const head = await this.log.readBytes(offset, 4);
      if (!head) return undefined;
      size = head.readUInt32LE(0);
    }
    if (size === 0 || size > this.config.segmentBytes) return undefined;
    const got = await this.log.readBytes(offset, size);
    if (!got) return undefined;
    const result = decodeRecord(got, 0, offset);
    return result.kind === 'record' ? result.message : undefined;
  }

  topics(): string[] {
    return this.queues.topics();
  }

  /** Lowest readable and next queue offset of one queue ({0, 0} for a queue never written). */
  queueOffsets(topic: string, queueId: number): { min: bigint; max: bigint } {
    const queue = this.queues.get(topic, queueId);
    return { min: queue?.minOffset ?? 0n, max: queue?.maxOffset ?? 0n };
  }

  get minOffset(): bigint {
    return this.log.minOffset;
  }

  stats(): { flushBehindBytes: bigint; dispatchBehindBytes: bigint } {
    return {
      flushBehindBytes: this.log.maxOffset - this.log.flushedOffset,
      dispatchBehindBytes: BigInt(this.log.pendingByteCount),
    };
  }

  get maxOffset(): bigint {
    return this.log.maxOffset;
  }

  /** Lets the owner of live state (timers, transactions, pop state) rewrite it forward before a segment goes. */
  onSegmentExpiring(hook: RetentionHook): void {
    this.retentionHooks.push(hook);
  }

  /** Makes derived state durable and records how far; recovery starts from here. */
  async checkpoint(): Promise<void> {
    // One at a time, and a caller never settles for one that started before its call (it would record less).
    while (this.checkpointing) await this.checkpointing;
    this.checkpointing = this.writeCheckpointNow().finally(() => {
      this.checkpointing = undefined;
    });
    await this.checkpointing;
  }

  private async writeCheckpointNow(): Promise<void> {
    const dispatched = this.dispatcher.dispatchedEnd;
    const dirty = [...this.dispatcher.dirtyQueues];
    this.dispatcher.dirtyQueues.clear();
    await this.log.sync();
    // One queue at a time: a checkpoint is background work, and parallel fdatasyncs would take every thread-pool
    // thread from the commit log's writes and syncs, which acknowledgements wait for.
    for (const q of dirty) await q.flush(true);
    await this.index.flush();
    await writeCheckpoint(this.config.dataDir, {
      dispatchedOffset: BigInt(dispatched),
      savedAt: this.deps.clock.now(),
    });
    this.lastCheckpoint = dispatched;
  }

  /** Deletes whole sealed segments past retention or under disk pressure; consume queues and index follow. */
  enforceRetention(): Promise<{ deletedSegments: number }> {
    if (!this.retaining) {
      this.retaining = this.retainNow().finally(() => {
        this.retaining = undefined;
      });
    }
    return this.retaining;
  }

  private async retainNow(): Promise<{ deletedSegments: number }> {
    const sealed = this.segments.segments.slice(0, -1).filter((s) => s.start + s.length <= this.lastCheckpoint);
    const ages = await Promise.all(
      sealed.map(async (s) => ({ start: s.start, length: s.length, lastWriteMs: (await stat(s.file.path)).mtimeMs })),
    );
    const disk = await (this.deps.diskUsage ?? (() => diskUsageOf(this.config.dataDir)))();
    const count = segmentsToDelete(ages, this.deps.clock.now(), this.config.retention, disk);
    for (let i = 0; i < count; i++) {
      const segment = this.segments.first;
      const next = this.segments.segments[1];
      if (!segment || !next) break;
      const range = { start: BigInt(segment.start), end: BigInt(segment.start + segment.length) };
      for (const hook of this.retentionHooks) await hook(range);
      for (const queue of this.queues) await queue.deleteBelow(BigInt(next.start));
      await this.index.deleteFilesBelow(BigInt(next.start));
      await this.segments.removeFirst();
      this.deps.log.info({ file: segment.file.path, bytes: segment.length }, 'segment deleted by retention');
    }
    return { deletedSegments: count };
  }

  /** Stops timers, writes what is pending, syncs and checkpoints. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.retaining;
    await this.log.close();
    await this.checkpoint();
    await this.queues.closeAll();
    await this.index.close();
    await this.segments.closeAll();
    await this.lock.release();
  }
}

async function diskUsageOf(dir: string): Promise<DiskUsage> {
  const s = await statfs(dir);
  return { totalBytes: s.blocks * s.bsize, usedBytes: (s.blocks - s.bfree) * s.bsize };
}
