import { readSync, writevSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/**
 * The file operations storage needs, behind one seam so a test can wrap the real thing and observe the order of
 * writes and fdatasyncs (proving that an acknowledgement never precedes the sync that covers its bytes).
 */
export interface StorageFile {
  readonly path: string;
  /** Writes every byte of `buffers` contiguously at `position` (one writev; retries partial writes). */
  write(buffers: readonly Buffer[], position: number): Promise<void>;
  /**
   * The same on the calling thread. For small writes into the page cache this costs microseconds, far less than a
   * thread-pool round trip; callers bound the size, since it blocks the event loop.
   */
  writeSync(buffers: readonly Buffer[], position: number): void;
  /** Reads up to buffer.length bytes at `position`; returns the count read (short at end of file). */
  read(buffer: Buffer, position: number): Promise<number>;
  /**
   * The same on the calling thread: for bytes just written (in the page cache) a pread costs about 2 µs, a
   * thread-pool round trip 20-30 µs. Callers keep it to small reads of recent data, since it blocks the event loop.
   */
  readSync(buffer: Buffer, position: number): number;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileOpener {
  /** Opens for positional reads and writes; `create` makes a new file and fails if it exists. */
  open(path: string, create: boolean): Promise<StorageFile>;
}

class NodeStorageFile implements StorageFile {
  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  async write(buffers: readonly Buffer[], position: number): Promise<void> {
    let pending = buffers.filter((b) => b.length > 0);
    let at = position;
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle.writev(pending, at);
      at += bytesWritten;
      pending = skipBytes(pending, bytesWritten);
    }
  }

  writeSync(buffers: readonly Buffer[], position: number): void {
    let pending = buffers.filter((b) => b.length > 0);
    let at = position;
    while (pending.length > 0) {
      const written = writevSync(this.handle.fd, pending, at);
      at += written;
      pending = skipBytes(pending, written);
    }
  }

  async read(buffer: Buffer, position: number): Promise<number> {
    let total = 0;
    while (total < buffer.length) {
      const { bytesRead } = await this.handle.read(buffer, total, buffer.length - total, position + total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    return total;
  }

  readSync(buffer: Buffer, position: number): number {
    let total = 0;
    while (total < buffer.length) {
      const bytesRead = readSync(this.handle.fd, buffer, total, buffer.length - total, position + total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    return total;
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  let remaining = count;
  const rest: Buffer[] = [];
  for (const b of buffers) {
    if (remaining >= b.length) {
      remaining -= b.length;
    } else {
      rest.push(remaining > 0 ? b.subarray(remaining) : b);
      remaining = 0;
    }
  }
  return rest;
}

export const nodeFiles: FileOpener = {
  async open(path, create) {
    // Never O_APPEND: positional writes are ignored under it on Linux.
    return new NodeStorageFile(path, await open(path, create ? 'wx+' : 'r+'));
  },
};
