import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeFiles, type StorageFile } from './storage-file.js';

/**
 * Consume-queue entry, 20 bytes, little-endian, so queue offset N is one positional read at N × 20:
 *
 *   0  u64  commitOffset   where the record starts in the commit log
 *   8  u32  size           bytes of the record
 *  12  u64  tagHash        for broker-side tag filtering without reading the record
 *
 * Files hold `entriesPerFile` entries each and are named by the queue offset of their first entry.
 */
export const CQ_ENTRY_BYTES = 20;

export interface CqEntry {
  readonly commitOffset: bigint;
  readonly size: number;
  readonly tagHash: bigint;
}

interface CqFile {
  readonly first: number;
  handle: StorageFile | undefined;
}

const fileName = (first: number): string => String(first).padStart(20, '0');

/** The index of one (topic, queue): derived from the commit log, rebuilt by the dispatcher. */
export class ConsumeQueue {
  /** Entries dispatched but not yet written to a file; readers are served from here meanwhile. */
  private tail = Buffer.allocUnsafe(64 * CQ_ENTRY_BYTES);
  private tailCount = 0;
  /** Entries in files. */
  private written: number;
  private min: number;
  /** Next queue offset to hand out; ahead of `end` while appends are being written. */
  private assigned: number;
  private flushing: Promise<void> | undefined;
  private unsynced = new Set<StorageFile>();

  private constructor(
    readonly dir: string,
    private readonly entriesPerFile: number,
    private readonly files: CqFile[],
    written: number,
  ) {
    this.written = written;
    this.assigned = written;
    this.min = files[0]?.first ?? written;
  }

  /** A queue that has never held an entry; its directory is made with its first file. Synchronous, so an append to a new queue keeps its place in line. */
  static empty(dir: string, entriesPerFile: number): ConsumeQueue {
    return new ConsumeQueue(dir, entriesPerFile, [], 0);
  }

  static async open(dir: string, entriesPerFile: number): Promise<ConsumeQueue> {
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).filter((n) => /^\d{20}$/.test(n)).sort();
    const files: CqFile[] = names.map((n) => ({ first: Number(n), handle: undefined }));
    let written = 0;
    const last = files[files.length - 1];
    if (last) {
      last.handle = await nodeFiles.open(join(dir, fileName(last.first)), false);
      const whole = Math.floor((await last.handle.size()) / CQ_ENTRY_BYTES);
      // A torn entry at the end (crash mid-write) is dropped; the dispatcher rewrites it from the commit log.
      await last.handle.truncate(whole * CQ_ENTRY_BYTES);
      written = last.first + whole;
    }
    return new ConsumeQueue(dir, entriesPerFile, files, written);
  }

  get minOffset(): bigint {
    return BigInt(this.min);
  }

  /** One past the last dispatched entry: what readers can see. */
  get maxOffset(): bigint {
    return BigInt(this.end);
  }

  get end(): number {
    return this.written + this.tailCount;
  }

  /** Hands out the queue offset for a record being appended (in commit-log order). */
  assignOffset(): number {
    return this.assigned++;
  }

  /** True when the queue has never held an entry. */
  get isEmpty(): boolean {
    return this.files.length === 0 && this.written === 0 && this.tailCount === 0;
  }

  /**
   * Records the entry of the next queue offset; returns false when `queueOffset` is not the next one (a gap). An
   * empty queue accepts any start, since a rebuild after retention begins past offset 0.
   */
  put(queueOffset: number, commitOffset: number, size: number, tagHash: number): boolean {
    if (this.isEmpty && queueOffset > 0) {
      this.written = this.min = this.assigned = queueOffset;
    }
    const end = this.written + this.tailCount;
    if (queueOffset !== end) return false;
    if ((this.tailCount + 1) * CQ_ENTRY_BYTES > this.tail.length) {
      const bigger = Buffer.allocUnsafe(this.tail.length * 2);
      this.tail.copy(bigger, 0, 0, this.tailCount * CQ_ENTRY_BYTES);
      this.tail = bigger;
    }
    const at = this.tailCount * CQ_ENTRY_BYTES;
    this.tail.writeUInt32LE(commitOffset % 0x1_0000_0000, at);
    this.tail.writeUInt32LE(Math.floor(commitOffset / 0x1_0000_0000), at + 4);
    this.tail.writeUInt32LE(size, at + 8);
    this.tail.writeUInt32LE(tagHash % 0x1_0000_0000, at + 12);
    this.tail.writeUInt32LE(Math.floor(tagHash / 0x1_0000_0000), at + 16);
    this.tailCount++;
    if (this.assigned < end + 1) this.assigned = end + 1;
    return true;
  }

  /** Up to `maxCount` entries from `queueOffset` (clamped to what exists). */
  async read(queueOffset: bigint, maxCount: number): Promise<CqEntry[]> {
    let at = Math.max(Number(queueOffset), this.min);
    const end = Math.min(at + maxCount, this.written + this.tailCount);
    const entries: CqEntry[] = [];
    while (at < end && at < this.written) {
      const file = this.fileFor(at);
      if (!file) break;
      const upto = Math.min(end, this.written, file.first + this.entriesPerFile);
      const buf = Buffer.allocUnsafe((upto - at) * CQ_ENTRY_BYTES);
      const handle = file.handle ?? (await nodeFiles.open(join(this.dir, fileName(file.first)), false));
      try {
        // On this thread: entries are 20 bytes each, a read is at most a few KiB of a file that stays in the page
        // cache (RocketMQ maps these files), and a thread-pool round trip per receive cost more than the read itself.
        handle.readSync(buf, (at - file.first) * CQ_ENTRY_BYTES);
      } finally {
        if (handle !== file.handle) await handle.close();
      }
      for (let i = 0; i < upto - at; i++) entries.push(entryAt(buf, i * CQ_ENTRY_BYTES));
      at = upto;
    }
    // Entries can move from the tail to a file while the read above awaited; `written` only grows, so re-derive.
    while (at < end) {
      const i = at - this.written;
      if (i < 0) return entries.concat(await this.read(BigInt(at), end - at));
      entries.push(entryAt(this.tail, i * CQ_ENTRY_BYTES));
      at++;
    }
    return entries;
  }

  private fileFor(queueOffset: number): CqFile | undefined {
    for (let i = this.files.length - 1; i >= 0; i--) {
      const f = this.files[i] as CqFile;
      if (f.first <= queueOffset) return queueOffset < f.first + this.entriesPerFile ? f : undefined;
    }
    return undefined;
  }

  /** Writes dispatched entries to files; with `sync`, also fdatasyncs every file written since the last sync. */
  async flush(sync: boolean): Promise<void> {
    while (this.flushing) await this.flushing;
    this.flushing = this.writeTail().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    if (sync) {
      const files = [...this.unsynced];
      this.unsynced.clear();
      await Promise.all(files.map((f) => f.datasync()));
    }
  }

  private async writeTail(): Promise<void> {
    const count = this.tailCount;
    let done = 0;
    while (done < count) {
      const at = this.written + done;
      const file = await this.writableFileFor(at);
      const n = Math.min(count - done, file.first + this.entriesPerFile - at);
      const handle = file.handle as StorageFile;
      await handle.write(
        [this.tail.subarray(done * CQ_ENTRY_BYTES, (done + n) * CQ_ENTRY_BYTES)],
        (at - file.first) * CQ_ENTRY_BYTES,
      );
      this.unsynced.add(handle);
      done += n;
    }
    if (count === 0) return;
    this.tail.copy(this.tail, 0, count * CQ_ENTRY_BYTES, this.tailCount * CQ_ENTRY_BYTES);
    this.tailCount -= count;
    this.written += count;
  }

  private async writableFileFor(queueOffset: number): Promise<CqFile> {
    const last = this.files[this.files.length - 1];
    if (last && queueOffset < last.first + this.entriesPerFile) return last;
    const first = last ? last.first + this.entriesPerFile : queueOffset - (queueOffset % this.entriesPerFile);
    if (!last) await mkdir(this.dir, { recursive: true });
    if (last?.handle) {
      // Sealed: sync it now and let reads open it on demand, so open handles stay one per queue.
      await last.handle.datasync();
      this.unsynced.delete(last.handle);
      await last.handle.close();
      last.handle = undefined;
    }
    const file: CqFile = { first, handle: await nodeFiles.open(join(this.dir, fileName(first)), true) };
    this.files.push(file);
    return file;
  }

  /**
   * Drops trailing entries that point at or past `commitOffset` (entries are ordered by commit offset). Recovery
   * calls this with the checkpoint so the dispatcher re-adds exactly the records after it.
   */
  async truncateFrom(commitOffset: bigint): Promise<void> {
    await this.flush(false);
    let keep = this.written;
    const probe = Buffer.allocUnsafe(CQ_ENTRY_BYTES);
    while (keep > this.min) {
      const file = this.fileFor(keep - 1) as CqFile;
      const handle = file.handle ?? (await nodeFiles.open(join(this.dir, fileName(file.first)), false));
      await handle.read(probe, (keep - 1 - file.first) * CQ_ENTRY_BYTES);
      if (handle !== file.handle) await handle.close();
      if (probe.readBigUInt64LE(0) < commitOffset) break;
      keep--;
    }
    while (this.files.length > 1 && (this.files[this.files.length - 1] as CqFile).first >= keep) {
      const file = this.files.pop() as CqFile;
      await file.handle?.close();
      await unlink(join(this.dir, fileName(file.first)));
    }
    const last = this.files[this.files.length - 1];
    if (last) {
      last.handle ??= await nodeFiles.open(join(this.dir, fileName(last.first)), false);
      await last.handle.truncate(Math.max(0, keep - last.first) * CQ_ENTRY_BYTES);
    }
    this.written = keep;
    this.assigned = keep;
  }

  /**
   * Retention: deletes files whose entries all point below `commitOffset` and moves the minimum offset to the first
   * entry at or above it.
   */
  async deleteBelow(commitOffset: bigint): Promise<void> {
    await this.flush(false);
    while (this.files.length > 1) {
      const next = this.files[1] as CqFile;
      const [firstOfNext] = await this.read(BigInt(next.first), 1);
      if (!firstOfNext || firstOfNext.commitOffset > commitOffset) break;
      const file = this.files.shift() as CqFile;
      await unlink(join(this.dir, fileName(file.first)));
      this.min = next.first;
    }
    // Binary search within what is left for the first live entry.
    let lo = this.min;
    let hi = this.written;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const [entry] = await this.read(BigInt(mid), 1);
      if (entry && entry.commitOffset < commitOffset) lo = mid + 1;
      else hi = mid;
    }
    this.min = lo;
  }

  async close(): Promise<void> {
    await this.flush(true);
    await Promise.all(this.files.map((f) => f.handle?.close()));
    for (const f of this.files) f.handle = undefined;
  }
}

function entryAt(buf: Buffer, at: number): CqEntry {
  return {
    commitOffset: buf.readBigUInt64LE(at),
    size: buf.readUInt32LE(at + 8),
    tagHash: buf.readBigUInt64LE(at + 12),
  };
}
