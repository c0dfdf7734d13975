import type { FileHandle } from 'node:fs/promises';
import { IndexCorruptError } from './index-corrupt-error.js';
import {
  E_COMMIT_OFFSET,
  E_KEY_HASH,
  E_PREV_ENTRY,
  ENTRY_BYTES,
  entriesStart,
  type IndexHeader,
  LE,
  SLOT_BYTES,
  slotPosition,
  viewOf,
} from './index-file-layout.js';
import type { OffsetCollector } from './offset-collector.js';

/** A full, durable file: only its handle stays open, and lookups read the slot and each chain entry from disk. */
export class SealedIndexFile {
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
