// The broker's on-disk, multi-valued hash index from a caller-formed key ("<topic>\u0001I<messageId>",
// "<topic>\u0001K<key>") to commit-log offsets, in the spirit of RocketMQ's IndexFile. It is derived data (the
// dispatcher can rebuild it from the commit log), so lookups may return hash-collision false positives that the
// caller verifies against the record, but every offset returned was really added under a key with the same hash.
import { type FileHandle, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/*
 * One file, <20-digit sequence>.idx, all integers little-endian (the native order of every host we run on):
 *
 * header, 64 bytes
 *   0        4          6           8           12              16           20          24
 *   | magic  | version  | reserved  | slotCount | entryCapacity | entryCount | reserved  |
 *   24                    32                    40                      48                      56         64
 *   | minCommitOffset u64 | maxCommitOffset u64 | minStoreTimestamp u64 | maxStoreTimestamp u64 | reserved |
 *
 * slots, slotCount x 4 bytes: 1 + number of the newest entry whose keyHash % slotCount is the slot, 0 = empty
 *
 * entries, entryCapacity x 24 bytes, in add() order
 *   0         4                  12          16                   24
 *   | keyHash | commitOffset u64 | prevEntry | storeTimestamp u64 |
 *   prevEntry is 1 + number of the previous entry in the same slot chain, 0 = none; it always points backwards.
 *   storeTimestamp is absolute epoch ms: the first three fields leave exactly 8 bytes of a 24-byte entry, and unlike
 *   RocketMQ's u32 delta it cannot overflow in a quiet file (49 days of ms) or go negative on out-of-order times.
 *
 * Durability: a file is created full-size (sparse) under a temp name and renamed. flush() writes entries and slot
 * pages, syncs, and only then writes the header, so entryCount never covers entries that are not on disk. Slots may
 * run ahead of entryCount after a crash; the newest file's slots are rebuilt from its entries on open.
 */
const MAGIC = 0x52494458; // "RIDX"
const FORMAT_VERSION = 1;
const HEADER_BYTES = 64;
const SLOT_BYTES = 4;
const ENTRY_BYTES = 24;
const PAGE_SHIFT = 12; // slot writes are tracked per 4 KiB page of the file
const PAGE_BYTES = 1 << PAGE_SHIFT;
// 2^26 slots (256 MiB) and 2^26 entries (1.5 GiB) keep a file under 2 GiB: one Buffer, one fs call, u32 entry numbers.
const MAX_SLOT_COUNT = 1 << 26;
const MAX_ENTRY_CAPACITY = 1 << 26;
const U32_RANGE = 2 ** 32;
const MAX_U64 = 2n ** 64n - 1n;
// Bytes are read and written through a DataView: on Node 20, Buffer's readUInt32LE/writeBigUInt64LE cost 30-250 ns
// per call against 2-20 ns for DataView, which decides add() throughput.
const LE = true;
const INDEX_FILE_NAME = /^(\d{20})\.idx$/;
const TEMP_SUFFIX = '.tmp';
const TEMP_FILE_NAME = /^\d{20}\.idx\.tmp$/;

const E_KEY_HASH = 0;
const E_COMMIT_OFFSET = 4;
const E_PREV_ENTRY = 12;
const E_STORE_TIMESTAMP = 16;

export interface MessageIndexOptions {
  /** Hash slots per new file; existing files keep the values in their own header. */
  slotCount: number;
  /** Entries per new file; the newest file is held in memory, so this bounds memory to about 24 B x capacity. */
  entryCapacity: number;
}

export class IndexCorruptError extends Error {
  override readonly name = 'IndexCorruptError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`index file ${file} is corrupt: ${reason}`);
  }
}

interface IndexHeader {
  slotCount: number;
  entryCapacity: number;
  entryCount: number;
  minCommitOffset: bigint;
  maxCommitOffset: bigint;
  minStoreTimestamp: number;
  maxStoreTimestamp: number;
}

type HeaderRead = { kind: 'valid'; header: IndexHeader } | { kind: 'corrupt'; reason: string };

const slotPosition = (slot: number) => HEADER_BYTES + slot * SLOT_BYTES;
const entriesStart = (slotCount: number) => HEADER_BYTES + slotCount * SLOT_BYTES;
const fileBytes = (o: MessageIndexOptions) => entriesStart(o.slotCount) + o.entryCapacity * ENTRY_BYTES;
const indexFilePath = (dir: string, seq: number) => path.join(dir, `${String(seq).padStart(20, '0')}.idx`);
const inRange = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;

const viewOf = (bytes: Buffer) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

// Epoch ms stay plain numbers (exact up to 2^53) so add() does not allocate a bigint per timestamp.
function setU64Number(view: DataView, at: number, value: number): void {
  view.setUint32(at, value >>> 0, LE);
  view.setUint32(at + 4, Math.floor(value / U32_RANGE), LE);
}

const getU64Number = (view: DataView, at: number) => view.getUint32(at, LE) + view.getUint32(at + 4, LE) * U32_RANGE;

function encodeHeader(h: IndexHeader, into: DataView, entryCount = h.entryCount): void {
  into.setUint32(0, MAGIC, LE);
  into.setUint16(4, FORMAT_VERSION, LE);
  into.setUint16(6, 0, LE);
  into.setUint32(8, h.slotCount, LE);
  into.setUint32(12, h.entryCapacity, LE);
  into.setUint32(16, entryCount, LE);
  into.setUint32(20, 0, LE);
  into.setBigUint64(24, h.minCommitOffset, LE);
  into.setBigUint64(32, h.maxCommitOffset, LE);
  setU64Number(into, 40, h.minStoreTimestamp);
  setU64Number(into, 48, h.maxStoreTimestamp);
  into.setBigUint64(56, 0n, LE);
}

function decodeHeader(view: DataView, sizeBytes: number): HeaderRead {
  const corrupt = (reason: string): HeaderRead => ({ kind: 'corrupt', reason });
  if (sizeBytes < HEADER_BYTES) return corrupt(`${sizeBytes} bytes is shorter than the header`);
  const magic = view.getUint32(0, LE);
  if (magic !== MAGIC) return corrupt(`bad magic 0x${magic.toString(16)}`);
  const version = view.getUint16(4, LE);
  if (version !== FORMAT_VERSION) return corrupt(`unsupported version ${version}`);
  const header: IndexHeader = {
    slotCount: view.getUint32(8, LE),
    entryCapacity: view.getUint32(12, LE),
    entryCount: view.getUint32(16, LE),
    minCommitOffset: view.getBigUint64(24, LE),
    maxCommitOffset: view.getBigUint64(32, LE),
    minStoreTimestamp: getU64Number(view, 40),
    maxStoreTimestamp: getU64Number(view, 48),
  };
  if (!inRange(header.slotCount, MAX_SLOT_COUNT)) return corrupt(`slot count ${header.slotCount} out of range`);
  if (!inRange(header.entryCapacity, MAX_ENTRY_CAPACITY))
    return corrupt(`capacity ${header.entryCapacity} out of range`);
  if (header.entryCount > header.entryCapacity) return corrupt(`entry count ${header.entryCount} exceeds capacity`);
  const expected = fileBytes(header);
  if (sizeBytes !== expected) return corrupt(`size ${sizeBytes} bytes, header implies ${expected}`);
  return { kind: 'valid', header };
}

/** Distinct offsets, newest first, up to a limit: the dispatcher re-adds (key, offset) pairs after recovery. */
class OffsetCollector {
  readonly offsets: bigint[] = [];
  private readonly seen = new Set<bigint>();
  constructor(private readonly limit: number) {}
  get full(): boolean {
    return this.offsets.length >= this.limit;
  }
  add(offset: bigint): void {
    if (this.seen.has(offset)) return;
    this.seen.add(offset);
    this.offsets.push(offset);
  }
}

async function writeFully(handle: FileHandle, buf: Buffer, start: number, end: number): Promise<void> {
  // The buffer mirrors the file byte for byte, so buffer offset and file position are the same number.
  for (let at = start; at < end; ) at += (await handle.write(buf, at, end - at, at)).bytesWritten;
}

async function readFully(handle: FileHandle, buf: Buffer, filePath: string): Promise<void> {
  for (let at = 0; at < buf.length; ) {
    const { bytesRead } = await handle.read(buf, at, buf.length - at, at);
    if (bytesRead === 0) throw new IndexCorruptError(filePath, `short read at ${at}`);
    at += bytesRead;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A file whose bytes live in one Buffer: the active file, or a full one waiting for its seal to reach disk. */
class InMemoryIndexFile implements IndexHeader {
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
    shape: MessageIndexOptions,
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

/** A full, durable file: only its handle stays open, and lookups read the slot and each chain entry from disk. */
class SealedIndexFile {
  private readers = 0;
  private state: 'readable' | 'retired' = 'readable';
  private onDrained: (() => void) | undefined;
  private readonly entriesStart: number;

  constructor(
    readonly seq: number,
    readonly filePath: string,
    private readonly handle: FileHandle,
    readonly header: IndexHeader,
  ) {
    this.entriesStart = entriesStart(header.slotCount);
  }

  async collect(keyHash: number, into: OffsetCollector): Promise<void> {
    if (this.state === 'retired') return; // deleted by retention after the lookup took its list of files
    this.readers++;
    try {
      const scratch = Buffer.alloc(ENTRY_BYTES);
      const view = viewOf(scratch);
      await this.readAt(scratch, SLOT_BYTES, slotPosition(keyHash % this.header.slotCount));
      let entry = view.getUint32(0, LE);
      // Chains only point backwards, so even corrupt bytes end the walk within entryCount steps.
      while (entry !== 0 && entry <= this.header.entryCount && !into.full) {
        await this.readAt(scratch, ENTRY_BYTES, this.entriesStart + (entry - 1) * ENTRY_BYTES);
        if (view.getUint32(E_KEY_HASH, LE) === keyHash) into.add(view.getBigUint64(E_COMMIT_OFFSET, LE));
        const prev = view.getUint32(E_PREV_ENTRY, LE);
        if (prev >= entry) return;
        entry = prev;
      }
    } finally {
      this.readers--;
      if (this.readers === 0) this.onDrained?.();
    }
  }

  /** Closes the handle once in-flight lookups are done with it. */
  async release(): Promise<void> {
    this.state = 'retired';
    if (this.readers > 0) await new Promise<void>((resolve) => (this.onDrained = resolve));
    await this.handle.close();
  }

  private async readAt(into: Buffer, length: number, position: number): Promise<void> {
    const { bytesRead } = await this.handle.read(into, 0, length, position);
    if (bytesRead !== length) throw new IndexCorruptError(this.filePath, `truncated at ${position}`);
  }
}

type IndexFile = InMemoryIndexFile | SealedIndexFile;

async function openExistingFile(dir: string, seq: number, isNewest: boolean): Promise<IndexFile> {
  const filePath = indexFilePath(dir, seq);
  const handle = await open(filePath, isNewest ? 'r+' : 'r');
  try {
    const { size } = await handle.stat();
    const headerBytes = Buffer.alloc(HEADER_BYTES);
    await handle.read(headerBytes, 0, HEADER_BYTES, 0);
    const read = decodeHeader(viewOf(headerBytes), size);
    if (read.kind === 'corrupt') throw new IndexCorruptError(filePath, read.reason);
    if (!isNewest || read.header.entryCount === read.header.entryCapacity) {
      return new SealedIndexFile(seq, filePath, handle, read.header);
    }
    const buf = Buffer.alloc(size);
    await readFully(handle, buf, filePath);
    return InMemoryIndexFile.recover(seq, filePath, handle, buf, read.header);
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Creates the file full-size under a temp name, so a file with its final name always has a valid header and size. */
async function createFile(dir: string, file: InMemoryIndexFile): Promise<FileHandle> {
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

export class MessageIndex {
  // Oldest first; the last one is the active file. Replaced, never mutated, so a lookup can hold on to a snapshot.
  private files: readonly IndexFile[];
  private active: InMemoryIndexFile;
  // File I/O runs one task at a time, in order: a roll's seal and create, then any later flush.
  private ioTail: Promise<void> = Promise.resolve();
  private ioFailure: unknown;
  private state: 'open' | 'closed' = 'open';

  private constructor(
    private readonly dir: string,
    private readonly newFileShape: MessageIndexOptions,
    files: IndexFile[],
    active: InMemoryIndexFile,
  ) {
    this.files = files;
    this.active = active;
  }

  static async open(dir: string, options: MessageIndexOptions): Promise<MessageIndex> {
    const { slotCount, entryCapacity } = options;
    if (!inRange(slotCount, MAX_SLOT_COUNT)) throw new RangeError(`slotCount must be 1..${MAX_SLOT_COUNT}`);
    if (!inRange(entryCapacity, MAX_ENTRY_CAPACITY)) {
      throw new RangeError(`entryCapacity must be 1..${MAX_ENTRY_CAPACITY}`);
    }
    await mkdir(dir, { recursive: true });
    const names = await readdir(dir);
    // A temp file is a creation that crashed before its rename; nothing points at it.
    await Promise.all(names.filter((n) => TEMP_FILE_NAME.test(n)).map((n) => unlink(path.join(dir, n))));
    const seqs = names.flatMap((n) => INDEX_FILE_NAME.exec(n)?.[1] ?? []).map(Number);
    seqs.sort((a, b) => a - b);
    const files: IndexFile[] = [];
    try {
      for (const [i, seq] of seqs.entries()) files.push(await openExistingFile(dir, seq, i === seqs.length - 1));
      let active = files.at(-1);
      if (!(active instanceof InMemoryIndexFile)) {
        const seq = (seqs.at(-1) ?? -1) + 1;
        active = new InMemoryIndexFile(seq, indexFilePath(dir, seq), { slotCount, entryCapacity });
        active.handle = await createFile(dir, active);
        files.push(active);
      }
      return new MessageIndex(dir, { slotCount, entryCapacity }, files, active);
    } catch (err) {
      await Promise.allSettled(files.map((f) => f.release()));
      throw err;
    }
  }

  get fileCount(): number {
    return this.files.length;
  }

  add(key: string, commitOffset: bigint, storeTimestamp: number): void {
    if (this.state !== 'open') throw new Error('message index is closed');
    if (!Number.isSafeInteger(storeTimestamp) || storeTimestamp < 0) {
      throw new RangeError(`storeTimestamp must be epoch ms, got ${storeTimestamp}`);
    }
    // DataView would silently wrap an offset outside u64 instead of throwing.
    if (commitOffset < 0n || commitOffset > MAX_U64) throw new RangeError(`commitOffset ${commitOffset} is not a u64`);
    this.active.append(crc32(key), commitOffset, storeTimestamp);
    if (this.active.isFull) this.roll();
  }

  async lookup(key: string, maxResults: number): Promise<bigint[]> {
    if (this.state !== 'open') throw new Error('message index is closed');
    if (!Number.isInteger(maxResults) || maxResults < 0)
      throw new RangeError(`maxResults ${maxResults} is not a count`);
    const found = new OffsetCollector(maxResults);
    const keyHash = crc32(key);
    const files = this.files;
    for (let i = files.length - 1; i >= 0 && !found.full; i--) await files[i]!.collect(keyHash, found);
    return found.offsets;
  }

  async flush(): Promise<void> {
    if (this.state !== 'open') throw new Error('message index is closed');
    const file = this.active; // files rolled before this call are sealed by tasks already queued
    await this.enqueue(() => file.flush());
  }

  async deleteFilesBelow(minCommitOffset: bigint): Promise<number> {
    if (this.state !== 'open') throw new Error('message index is closed');
    const doomed = this.files.filter(
      (f): f is SealedIndexFile => f instanceof SealedIndexFile && f.header.maxCommitOffset < minCommitOffset,
    );
    const doomedSet = new Set<IndexFile>(doomed);
    this.files = this.files.filter((f) => !doomedSet.has(f));
    // Handles close first (after in-flight lookups drain); a failed unlink leaves a file that the next open adopts
    // and the next retention pass deletes again.
    await Promise.all(doomed.map((f) => f.release()));
    for (const file of doomed) await unlink(file.filePath);
    return doomed.length;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const file = this.active;
    try {
      await this.enqueue(() => file.flush());
    } finally {
      await Promise.allSettled(this.files.map((f) => f.release()));
    }
  }

  // add() cannot wait, so the full file keeps answering lookups from memory until its seal is on disk.
  private roll(): void {
    const full = this.active;
    const seq = full.seq + 1;
    const next = new InMemoryIndexFile(seq, indexFilePath(this.dir, seq), this.newFileShape);
    this.active = next;
    this.files = [...this.files, next];
    const sealAndCreate = async () => {
      await full.flush();
      const sealed = new SealedIndexFile(full.seq, full.filePath, full.handle!, full.header());
      this.files = this.files.map((f) => (f === full ? sealed : f));
      next.handle = await createFile(this.dir, next);
    };
    // A failure is kept in ioFailure and rejects the next flush() or close(), which is where callers handle it.
    this.enqueue(sealAndCreate).catch(() => {});
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.ioTail.then(() => {
      if (this.ioFailure !== undefined) {
        throw new Error('message index stopped after an earlier write failed', { cause: this.ioFailure });
      }
      return task();
    });
    this.ioTail = run.catch((err: unknown) => {
      this.ioFailure ??= err;
    });
    return run;
  }
}
