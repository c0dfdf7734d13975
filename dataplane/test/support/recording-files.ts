import { basename } from 'node:path';
import { type FileOpener, nodeFiles, type StorageFile } from '../../src/storage/storage-file.js';

export type FileEvent =
  | { kind: 'written'; path: string; end: number }
  | { kind: 'sync-started'; path: string; covers: number }
  | { kind: 'sync-done'; path: string; covers: number };

/**
 * Real files that log, in order, each completed write's end and each fdatasync with the bytes it covers (everything
 * written to that file before the sync began). A test appends its own events to the same log.
 */
export class RecordingFiles implements FileOpener {
  readonly events: (FileEvent | { kind: 'ack'; path: string; end: number })[] = [];
  bytesRead = 0;
  private readonly writtenEnd = new Map<string, number>();
  private readonly segmentStarts = new Map<number, string>();

  async open(path: string, create: boolean): Promise<StorageFile> {
    const real = await nodeFiles.open(path, create);
    this.segmentStarts.set(Number(basename(path)), path);
    const events = this.events;
    const writtenEnd = this.writtenEnd;
    return {
      path,
      async write(buffers, position) {
        await real.write(buffers, position);
        const end = position + buffers.reduce((n, b) => n + b.length, 0);
        writtenEnd.set(path, Math.max(writtenEnd.get(path) ?? 0, end));
        events.push({ kind: 'written', path, end });
      },
      writeSync(buffers, position) {
        real.writeSync(buffers, position);
        const end = position + buffers.reduce((n, b) => n + b.length, 0);
        writtenEnd.set(path, Math.max(writtenEnd.get(path) ?? 0, end));
        events.push({ kind: 'written', path, end });
      },
      read: async (buffer, position) => {
        const n = await real.read(buffer, position);
        this.bytesRead += n;
        return n;
      },
      readSync: (buffer, position) => {
        const n = real.readSync(buffer, position);
        this.bytesRead += n;
        return n;
      },
      async datasync() {
        const covers = writtenEnd.get(path) ?? 0;
        events.push({ kind: 'sync-started', path, covers });
        await real.datasync();
        events.push({ kind: 'sync-done', path, covers });
      },
      truncate: (length) => real.truncate(length),
      size: () => real.size(),
      close: () => real.close(),
    };
  }

  /** Logs the acknowledgement of the commit-log record at [offset, offset + size), mapped to its segment file. */
  ack(offset: number, size: number): void {
    const start = Math.max(...[...this.segmentStarts.keys()].filter((s) => s <= offset));
    this.events.push({ kind: 'ack', path: this.segmentStarts.get(start) as string, end: offset - start + size });
  }

  /** Acks whose byte range no completed fdatasync covered when the ack was observed. */
  unsyncedAcks(): { path: string; end: number }[] {
    const synced = new Map<string, number>();
    const bad: { path: string; end: number }[] = [];
    for (const e of this.events) {
      if (e.kind === 'sync-done') synced.set(e.path, Math.max(synced.get(e.path) ?? 0, e.covers));
      if (e.kind === 'ack' && (synced.get(e.path) ?? 0) < e.end) bad.push(e);
    }
    return bad;
  }
}
