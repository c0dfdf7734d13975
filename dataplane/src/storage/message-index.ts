// The broker's on-disk, multi-valued hash index from a caller-formed key ("<topic>\u0001I<messageId>",
// "<topic>\u0001K<key>") to commit-log offsets, in the spirit of RocketMQ's IndexFile. It is derived data (the
// dispatcher can rebuild it from the commit log), so lookups may return hash-collision false positives that the
// caller verifies against the record, but every offset returned was really added under a key with the same hash.
//
// The format is drawn in index-file-layout.ts; in-memory-index-file.ts holds the newest file, sealed-index-file.ts
// the full ones. This class owns the list of files and orders their I/O.
import { type FileHandle, mkdir, open, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { createIndexFile, InMemoryIndexFile } from './in-memory-index-file.js';
import { IndexCorruptError } from './index-corrupt-error.js';
import {
  decodeHeader,
  HEADER_BYTES,
  INDEX_FILE_NAME,
  indexFilePath,
  inRange,
  MAX_ENTRY_CAPACITY,
  MAX_SLOT_COUNT,
  TEMP_FILE_NAME,
  viewOf,
} from './index-file-layout.js';
import { OffsetCollector } from './offset-collector.js';
import { SealedIndexFile } from './sealed-index-file.js';

export { IndexCorruptError } from './index-corrupt-error.js';

const MAX_U64 = 2n ** 64n - 1n;

export interface MessageIndexOptions {
  /** Hash slots per new file; existing files keep the values in their own header. */
  slotCount: number;
  /** Entries per new file; the newest file is held in memory, so this bounds memory to about 24 B x capacity. */
  entryCapacity: number;
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

async function readFully(handle: FileHandle, buf: Buffer, filePath: string): Promise<void> {
  for (let at = 0; at < buf.length; ) {
    const { bytesRead } = await handle.read(buf, at, buf.length - at, at);
    if (bytesRead === 0) throw new IndexCorruptError(filePath, `short read at ${at}`);
    at += bytesRead;
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
        active.handle = await createIndexFile(dir, active);
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
      next.handle = await createIndexFile(this.dir, next);
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
