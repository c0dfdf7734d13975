import { totalmem } from 'node:os';
import { Code, DataplaneError, StorageCorruptionError } from '../lib/errors.js';
import {
  decodeRecord,
  encodeRecord,
  type MessageInput,
  type NumericPlacement,
  type StoredMessage,
} from './record-codec.js';
import type { Segment, SegmentSet } from './segment-set.js';

export type FlushMode = 'async' | 'sync';

export interface CommitLogOptions {
  /** Fixed capacity of a segment file; a record never spans two. */
  readonly segmentBytes: number;
  /** `sync`: acknowledge only after an fdatasync covering the record. `async`: after the page cache. */
  readonly flush: FlushMode;
  /** In `async` mode, how often written data is fdatasync'd (bounds loss on power failure). */
  readonly flushIntervalMs: number;
  /** Bytes encoded but not yet written before appends must wait (bounds memory under overload). */
  readonly maxPendingBytes: number;
}

/** Reads of at most this size within the newest `HOT_TAIL_BYTES` of the log are served synchronously. */
const MAX_HOT_READ_BYTES = 1 << 20;
/**
 * The newest part of the log that is taken to be in the page cache, as RocketMQ does with
 * `accessMessageInMemoryMaxRatio` (40% of memory): a quarter of the memory this process may use (its cgroup limit
 * when it has one), between 64 MiB and 4 GiB. A thread-pool read costs 20-30 µs of round trip and contention on two
 * cores; a pread from the page cache about 2 µs.
 */
const HOT_TAIL_BYTES = hotTailBytes();

function hotTailBytes(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  const memory = limit > 0 && limit < totalmem() ? limit : totalmem();
  return Math.min(4 * 2 ** 30, Math.max(64 << 20, Math.floor(memory / 4)));
}

/** Called in commit-log order once a record is as durable as the flush mode promises, just before its ack. */
export type DispatchFn<D> = (payload: D, physicalOffset: number, size: number) => void;

interface PendingAppend<D> {
  readonly physicalOffset: number;
  readonly size: number;
  readonly payload: D;
}

interface DurabilityWaiter {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** Records encoded back to back, to be written with the batches before and after them in one writev. */
interface Batch<D> {
  readonly segmentStart: number;
  readonly position: number;
  readonly buf: Buffer;
  readonly view: DataView;
  used: number;
  readonly appends: PendingAppend<D>[];
  /** Resolved once this batch (and so everything before it) is durable. */
  readonly waiters: DurabilityWaiter[];
}

const BATCH_BYTES = 1 << 20;
/**
 * In `async` mode, writes up to this size go to the page cache on the event loop: a thread-pool hop costs more than
 * the copy, and it caps throughput when few writers each wait for their ack. Larger writes use the pool.
 */
const SYNC_WRITE_MAX_BYTES = 1 << 20;
/** Written batch buffers kept for reuse: a drain often takes a batch holding a few records, and 1 MiB allocations per write would drive V8 into full GCs. */
const FREE_BUFFERS = 8;

/**
 * The append-only commit log: assigns physical offsets, encodes records into memory batches and writes them with
 * group commit: one writev for everything queued while the previous write (and, in `sync` mode, its fdatasync) was
 * in flight. Only one write is in flight at a time, so the file only ever has a torn tail at its very end.
 */
export class CommitLog<D> {
  private batches: Batch<D>[] = [];
  private readonly freeBuffers: { buf: Buffer; view: DataView }[] = [];
  private filling: Batch<D> | undefined;
  /** The batch being written, taken off `batches`. */
  private inFlight: Batch<D>[] = [];
  /** The last batch created and not yet completed: what `durable()` waits for. */
  private newest: Batch<D> | undefined;
  private pendingBytes = 0;
  private spaceWaiters: (() => void)[] = [];
  private writing: Promise<void> | undefined;
  private failure: Error | undefined;
  private closed = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  /** Next offset to assign. */
  private nextOffset: number;
  /** Start of the segment that `nextOffset` falls in. */
  private activeStart: number;
  /** Everything below is in the file (page cache at least). */
  private written: number;
  /** Everything below is fdatasync'd. */
  private synced: number;

  constructor(
    readonly segments: SegmentSet,
    private readonly options: CommitLogOptions,
    private readonly dispatch: DispatchFn<D>,
  ) {
    const last = segments.last;
    this.nextOffset = last ? last.start + last.length : 0;
    this.activeStart = last ? last.start : 0;
    this.written = this.nextOffset;
    this.synced = this.nextOffset;
    if (options.flush === 'async') {
      // Errors surface through fail(): later appends are rejected with the cause.
      this.flushTimer = setInterval(() => void this.sync().catch(() => {}), options.flushIntervalMs);
      this.flushTimer.unref();
    }
  }

  get minOffset(): bigint {
    return BigInt(this.segments.first?.start ?? this.nextOffset);
  }

  /** Offset after the last record written to the file (what readers may see). */
  get maxOffset(): bigint {
    return BigInt(this.written);
  }

  get flushedOffset(): bigint {
    return BigInt(this.synced);
  }

  /** Bytes encoded but not yet written (and so not yet dispatched or acknowledged). */
  get pendingByteCount(): number {
    return this.pendingBytes;
  }

  /** True when an append should first `await waitForSpace()` (memory bound). */
  get mustWait(): boolean {
    return this.pendingBytes >= this.options.maxPendingBytes || this.spaceWaiters.length > 0;
  }

  waitForSpace(): Promise<void> {
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /**
   * Encodes `msg` into the write queue now (so callers hand out queue offsets in commit-log order) and returns its
   * physical offset. `durable()` tells when it is as durable as the flush mode promises. Throws when the log failed
   * or is closed, or the record cannot fit a segment.
   */
  append(msg: MessageInput, size: number, placement: Omit<NumericPlacement, 'physicalOffset'>, payload: D): number {
    this.assertWritable();
    if (size > this.options.segmentBytes) {
      throw new DataplaneError(Code.MESSAGE_BODY_TOO_LARGE, `record of ${size} bytes exceeds the segment size`);
    }
    const offset = this.nextOffset;
    let batch = this.filling;
    if (offset + size > this.activeStart + this.options.segmentBytes) {
      // Roll: the next segment starts exactly where data ends, so offsets stay dense.
      this.activeStart = offset;
      batch = undefined;
    } else if (batch && batch.used + size > batch.buf.length) {
      batch = undefined;
    }
    if (!batch) {
      const memory =
        size <= BATCH_BYTES
          ? (this.freeBuffers.pop() ?? withView(Buffer.allocUnsafe(BATCH_BYTES)))
          : withView(Buffer.allocUnsafe(size));
      batch = { segmentStart: this.activeStart, position: offset, ...memory, used: 0, appends: [], waiters: [] };
      this.batches.push(batch);
      this.filling = batch;
      this.newest = batch;
    }
    encodeRecord(batch.buf, batch.used, size, msg, { ...placement, physicalOffset: offset }, batch.view);
    batch.used += size;
    batch.appends.push({ physicalOffset: offset, size, payload });
    this.nextOffset = offset + size;
    this.pendingBytes += size;
    if (!this.writing) {
      // Start on a microtask so appends issued in the same tick share the first write.
      this.writing = Promise.resolve().then(() => this.drain());
    }
    return offset;
  }

  /** Throws unless appends can be taken: the log has not failed and is not closed. */
  assertWritable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, 'commit log is closed');
  }

  /**
   * Resolves when everything appended so far is durable per the flush mode (and dispatched, so readers see it);
   * rejects if the log fails first. One promise serves any number of appends: a batch of messages costs one.
   */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const last = this.newest;
    if (!last) return Promise.resolve();
    return new Promise((resolve, reject) => last.waiters.push({ resolve, reject }));
  }

  private async drain(): Promise<void> {
    try {
      while (this.batches.length > 0 && !this.failure) {
        const group = this.takeGroup();
        this.inFlight = group;
        const segment = await this.segmentFor(group[0] as Batch<D>);
        const position = (group[0] as Batch<D>).position - segment.start;
        const buffers = group.map((b) => b.buf.subarray(0, b.used));
        const bytes = buffers.reduce((n, b) => n + b.length, 0);
        if (this.options.flush === 'async' && bytes <= SYNC_WRITE_MAX_BYTES) segment.file.writeSync(buffers, position);
        else await segment.file.write(buffers, position);
        const last = group[group.length - 1] as Batch<D>;
        const end = last.position + last.used;
        segment.length = end - segment.start;
        this.written = end;
        if (this.options.flush === 'sync') await this.sync();
        this.complete(group);
        this.inFlight = [];
      }
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.writing = undefined;
    }
  }

  /** All queued batches of the first batch's segment; the filling one is taken too, so new appends start a new batch. */
  private takeGroup(): Batch<D>[] {
    const first = this.batches[0] as Batch<D>;
    let n = 1;
    while (n < this.batches.length && (this.batches[n] as Batch<D>).segmentStart === first.segmentStart) n++;
    const group = this.batches.splice(0, n);
    if (group.includes(this.filling as Batch<D>)) this.filling = undefined;
    return group;
  }

  private async segmentFor(batch: Batch<D>): Promise<Segment> {
    const last = this.segments.last;
    if (last && last.start === batch.segmentStart) return last;
    // Seal the previous segment durably first, so only the newest segment can ever have a torn tail.
    if (last) {
      await last.file.datasync();
    }
    const segment = await this.segments.create(batch.segmentStart);
    this.synced = batch.segmentStart;
    return segment;
  }

  private complete(group: Batch<D>[]): void {
    for (const batch of group) {
      for (const a of batch.appends) this.dispatch(a.payload, a.physicalOffset, a.size);
      for (const w of batch.waiters) w.resolve();
      if (batch === this.newest) this.newest = undefined;
      this.pendingBytes -= batch.used;
      if (batch.buf.length === BATCH_BYTES && this.freeBuffers.length < FREE_BUFFERS) {
        this.freeBuffers.push({ buf: batch.buf, view: batch.view });
      }
    }
    while (this.spaceWaiters.length > 0 && this.pendingBytes < this.options.maxPendingBytes) {
      (this.spaceWaiters.shift() as () => void)();
    }
  }

  private fail(err: Error): void {
    // A failed write leaves the file in an unknown state past `written`: stop accepting and let recovery decide.
    this.failure = new DataplaneError(Code.INTERNAL_SERVER_ERROR, 'commit log write failed', { cause: err });
    for (const batch of [...this.inFlight, ...this.batches]) for (const w of batch.waiters) w.reject(this.failure);
    this.inFlight = [];
    this.batches = [];
    this.filling = undefined;
    this.newest = undefined;
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  /** fdatasyncs the active segment up to what is written; concurrent callers share one fdatasync. */
  async sync(): Promise<void> {
    while (this.synced < this.written) {
      if (!this.syncing) {
        const target = this.written;
        const segment = this.segments.last;
        this.syncing = (async () => {
          try {
            if (segment) await segment.file.datasync();
            this.synced = Math.max(this.synced, target);
          } catch (err) {
            // A failed fdatasync may have dropped dirty pages: nothing after `synced` can be trusted any more.
            this.fail(err as Error);
            throw this.failure;
          } finally {
            this.syncing = undefined;
          }
        })();
      }
      await this.syncing;
    }
  }

  /**
   * Reads `length` bytes at `offset` (across segment boundaries: offsets are dense); undefined when any part is not,
   * or no longer, stored.
   */
  async readBytes(offset: bigint, length: number): Promise<Buffer | undefined> {
    let at = Number(offset);
    if (at + length > this.written) return undefined;
    // Consumers keeping up read what was just written: still in the page cache, read on this thread.
    const hot = length <= MAX_HOT_READ_BYTES && at >= this.written - HOT_TAIL_BYTES;
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const segment = this.segments.find(at);
      if (!segment) return undefined;
      const n = Math.min(length - done, segment.start + segment.length - at);
      const target = buf.subarray(done, done + n);
      const read = hot
        ? segment.file.readSync(target, at - segment.start)
        : await segment.file.read(target, at - segment.start);
      if (read !== n) return undefined;
      done += n;
      at += n;
    }
    return buf;
  }

  /** Reads and verifies one record (CRC, placement); a failed check throws StorageCorruptionError, never returns data. */
  async readRecord(offset: bigint, size: number): Promise<StoredMessage | undefined> {
    const buf = await this.readBytes(offset, size);
    if (!buf) return undefined;
    const result = decodeRecord(buf, 0, offset);
    if (result.kind === 'record') return result.message;
    throw this.corruptionAt(offset, result.kind === 'corrupt' ? result.reason : result.kind);
  }

  corruptionAt(offset: bigint, reason: string): StorageCorruptionError {
    const segment = this.segments.find(Number(offset));
    return new StorageCorruptionError(
      segment?.file.path ?? this.segments.dir,
      segment ? Number(offset) - segment.start : 0,
      offset,
      reason,
    );
  }

  /** Waits for queued writes, syncs, stops the flush timer. Appends after close are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    while (this.writing) await this.writing;
    if (!this.failure) await this.sync();
  }
}

const withView = (buf: Buffer) => ({ buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength) });
