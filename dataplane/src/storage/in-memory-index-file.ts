// add() on the newest index file writes memory only; flush() writes back just the slot pages and entries changed
// since the last flush, then the header.
import { type FileHandle, open, rename } from 'node:fs/promises';
import {
  E_COMMIT_OFFSET,
  E_KEY_HASH,
  E_PREV_ENTRY,
  E_STORE_TIMESTAMP,
  ENTRY_BYTES,
  encodeHeader,
  entriesStart,
  fileBytes,
  getU64Number,
  HEADER_BYTES,
  type IndexFileShape,
  type IndexHeader,
  LE,
  setU64Number,
  slotPosition,
  TEMP_SUFFIX,
  viewOf,
} from './index-file-layout.js';
import type { OffsetCollector } from './offset-collector.js';

const PAGE_SHIFT = 12; // slot writes are tracked per 4 KiB page of the file
const PAGE_BYTES = 1 << PAGE_SHIFT;

/** A file whose bytes live in one Buffer: the active file, or a full one waiting for its seal to reach disk. */
export class InMemoryIndexFile implements IndexHeader {
  readonly slotCount: number;
  readonly entryCapacity: number;
  entryCount = 0;
  minCommitOffset = 0n;
  maxCommitOffset = 0n;
  minStoreTimestamp = 0;
  maxStoreTimestamp = 0;
  handle: FileHandle | undefined;
  private readonly view: DataView;
  private readonly entriesStart: number;
  private readonly dirtyPages: Uint8Array;
  private flushedEntryCount = 0;

  constructor(
    readonly seq: number,
    readonly filePath: string,
    shape: IndexFileShape,
    readonly buf: Buffer = Buffer.alloc(fileBytes(shape)),
  ) {
    this.slotCount = shape.slotCount;
    this.entryCapacity = shape.entryCapacity;
    this.entriesStart = entriesStart(shape.slotCount);
    this.dirtyPages = new Uint8Array(((this.entriesStart - 1) >>> PAGE_SHIFT) + 1);
    this.view = viewOf(buf);
  }

  /** Adopts the newest file after a restart; `header.entryCount` is the durable count, later bytes are torn. */
  static recover(seq: number, filePath: string, handle: FileHandle, buf: Buffer, header: IndexHeader) {
    const file = new InMemoryIndexFile(seq, filePath, header, buf);
    const view = file.view;
    file.handle = handle;
    const durableEnd = file.entriesStart + header.entryCount * ENTRY_BYTES;
    buf.fill(0, durableEnd);
    // Slots can point past the durable count (slot pages reached disk, the header did not). Ignoring such a slot
    // would also hide the durable entries chained below it, so every slot is recomputed from the durable entries.
    const heads = new Uint32Array(file.slotCount);
    for (let entry = 0, at = file.entriesStart; at < durableEnd; entry++, at += ENTRY_BYTES) {
      heads[view.getUint32(at + E_KEY_HASH, LE) % file.slotCount] = entry + 1;
      file.widenBounds(view.getBigUint64(at + E_COMMIT_OFFSET, LE), getU64Number(view, at + E_STORE_TIMESTAMP), entry);
    }
    for (let slot = 0; slot < file.slotCount; slot++) {
      const at = slotPosition(slot);
      const head = heads[slot] ?? 0;
      if (view.getUint32(at, LE) === head) continue;
      view.setUint32(at, head, LE);
      file.dirtyPages[at >>> PAGE_SHIFT] = 1;
    }
    file.entryCount = header.entryCount;
    file.flushedEntryCount = header.entryCount;
    return file;
  }

  /** A copy of the header fields only, so a sealed file does not keep this buffer alive. */
  header(): IndexHeader {
    const { slotCount, entryCapacity, entryCount, minCommitOffset, maxCommitOffset } = this;
    const { minStoreTimestamp, maxStoreTimestamp } = this;
    return {
      slotCount,
      entryCapacity,
      entryCount,
      minCommitOffset,
      maxCommitOffset,
      minStoreTimestamp,
      maxStoreTimestamp,
    };
  }

  get isFull(): boolean {
    return this.entryCount === this.entryCapacity;
  }

  /** The hot path: memory writes only, no syscall, no allocation. The caller has range-checked both numbers. */
  append(keyHash: number, commitOffset: bigint, storeTimestampMs: number): void {
    const entry = this.entryCount;
    const at = this.entriesStart + entry * ENTRY_BYTES;
    const view = this.view;
    const slotAt = slotPosition(keyHash % this.slotCount);
    view.setBigUint64(at + E_COMMIT_OFFSET, commitOffset, LE); // first: a non-bigint throws before anything is linked
    view.setUint32(at + E_KEY_HASH, keyHash, LE);
    view.setUint32(at + E_PREV_ENTRY, view.getUint32(slotAt, LE), LE);
    setU64Number(view, at + E_STORE_TIMESTAMP, storeTimestampMs);
    view.setUint32(slotAt, entry + 1, LE);
    this.dirtyPages[slotAt >>> PAGE_SHIFT] = 1;
    this.entryCount = entry + 1;
    this.widenBounds(commitOffset, storeTimestampMs, entry);
  }

  collect(keyHash: number, into: OffsetCollector): void {
    const view = this.view;
    let entry = view.getUint32(slotPosition(keyHash % this.slotCount), LE);
    // Chains only point backwards, so even corrupt bytes end the walk within entryCount steps.
    while (entry !== 0 && entry <= this.entryCount && !into.full) {
      const at = this.entriesStart + (entry - 1) * ENTRY_BYTES;
      if (view.getUint32(at + E_KEY_HASH, LE) === keyHash) into.add(view.getBigUint64(at + E_COMMIT_OFFSET, LE));
      const prev = view.getUint32(at + E_PREV_ENTRY, LE);
      if (prev >= entry) return;
      entry = prev;
    }
  }

  /** Writes what changed since the last flush, then the header, each followed by fdatasync. */
  async flush(): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) throw new Error(`index file ${this.filePath} flushed before it was created`);
    const count = this.entryCount;
    const pages = this.takeDirtyPages();
    if (pages.length === 0 && count === this.flushedEntryCount) return;
    try {
      for (const [start, end] of this.changedRanges(pages, count)) await writeFully(handle, this.buf, start, end);
      await handle.datasync();
      encodeHeader(this, this.view, count);
      await writeFully(handle, this.buf, 0, HEADER_BYTES);
      await handle.datasync();
      this.flushedEntryCount = count;
    } catch (err) {
      for (const page of pages) this.dirtyPages[page] = 1;
      throw err;
    }
  }

  async release(): Promise<void> {
    await this.handle?.close();
  }

  private widenBounds(commitOffset: bigint, storeTimestampMs: number, entry: number): void {
    if (entry === 0 || commitOffset < this.minCommitOffset) this.minCommitOffset = commitOffset;
    if (entry === 0 || commitOffset > this.maxCommitOffset) this.maxCommitOffset = commitOffset;
    if (entry === 0 || storeTimestampMs < this.minStoreTimestamp) this.minStoreTimestamp = storeTimestampMs;
    if (entry === 0 || storeTimestampMs > this.maxStoreTimestamp) this.maxStoreTimestamp = storeTimestampMs;
  }

  // Marks are cleared before the write starts: an add() during the write marks its page again for the next flush.
  private takeDirtyPages(): number[] {
    const pages: number[] = [];
    for (let page = 0; page < this.dirtyPages.length; page++) {
      if (this.dirtyPages[page] === 0) continue;
      this.dirtyPages[page] = 0;
      pages.push(page);
    }
    return pages;
  }

  /** Byte ranges [start, end) of dirty slot pages and new entries, adjacent ones merged; the header goes last. */
  private changedRanges(pages: number[], count: number): Array<[number, number]> {
    const ranges: Array<[number, number]> = [];
    const push = (start: number, end: number) => {
      const last = ranges.at(-1);
      if (last !== undefined && last[1] === start) last[1] = end;
      else if (start < end) ranges.push([start, end]);
    };
    for (const page of pages) {
      push(Math.max(HEADER_BYTES, page * PAGE_BYTES), Math.min(this.entriesStart, (page + 1) * PAGE_BYTES));
    }
    push(this.entriesStart + this.flushedEntryCount * ENTRY_BYTES, this.entriesStart + count * ENTRY_BYTES);
    return ranges;
  }
}

/** Creates the file full-size under a temp name, so a file with its final name always has a valid header and size. */
export async function createIndexFile(dir: string, file: InMemoryIndexFile): Promise<FileHandle> {
  const tempPath = file.filePath + TEMP_SUFFIX;
  const handle = await open(tempPath, 'w+');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    encodeHeader(file, viewOf(header), 0);
    await handle.write(header, 0, HEADER_BYTES, 0);
    await handle.truncate(fileBytes(file));
    await handle.datasync();
    await rename(tempPath, file.filePath);
    await syncDirectory(dir);
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

async function writeFully(handle: FileHandle, buf: Buffer, start: number, end: number): Promise<void> {
  // The buffer mirrors the file byte for byte, so buffer offset and file position are the same number.
  for (let at = start; at < end; ) at += (await handle.write(buf, at, end - at, at)).bytesWritten;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
