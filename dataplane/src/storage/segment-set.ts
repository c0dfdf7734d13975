import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileOpener, StorageFile } from './storage-file.js';

/** One commit-log segment: a file named by the commit-log offset of its first byte, never longer than the segment size. */
export interface Segment {
  readonly start: number;
  readonly file: StorageFile;
  /** Bytes of valid data (the file length once recovered). */
  length: number;
}

const NAME_DIGITS = 20;
export const segmentFileName = (start: number): string => String(start).padStart(NAME_DIGITS, '0');

/** The ordered segments of the commit log and the mapping from an offset to its segment. */
export class SegmentSet {
  private constructor(
    readonly dir: string,
    private readonly files: FileOpener,
    readonly segments: Segment[],
  ) {}

  static async open(dir: string, files: FileOpener): Promise<SegmentSet> {
    const names = (await readdir(dir)).filter((n) => /^\d{20}$/.test(n)).sort();
    const segments: Segment[] = [];
    for (const name of names) {
      const file = await files.open(join(dir, name), false);
      segments.push({ start: Number(name), file, length: await file.size() });
    }
    return new SegmentSet(dir, files, segments);
  }

  get first(): Segment | undefined {
    return this.segments[0];
  }

  get last(): Segment | undefined {
    return this.segments[this.segments.length - 1];
  }

  /** The segment holding `offset`, or undefined when it lies before the first or past the last segment's data. */
  find(offset: number): Segment | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const seg = this.segments[mid] as Segment;
      if (offset < seg.start) hi = mid - 1;
      else if (offset >= seg.start + seg.length && mid < this.segments.length - 1) lo = mid + 1;
      else return offset < seg.start + seg.length ? seg : undefined;
    }
    return undefined;
  }

  async create(start: number): Promise<Segment> {
    const segment: Segment = {
      start,
      file: await this.files.open(join(this.dir, segmentFileName(start)), true),
      length: 0,
    };
    this.segments.push(segment);
    return segment;
  }

  /** Removes the oldest segment (retention). */
  async removeFirst(): Promise<Segment | undefined> {
    const segment = this.segments.shift();
    if (segment) {
      await segment.file.close();
      await unlink(segment.file.path);
    }
    return segment;
  }

  /** Drops whole segments that start at or after `offset` (recovery after a torn roll). */
  async removeFrom(offset: number): Promise<void> {
    while (this.last && this.last.start >= offset && this.segments.length > 0) {
      const segment = this.segments.pop() as Segment;
      await segment.file.close();
      await unlink(segment.file.path);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.segments.map((s) => s.file.close()));
  }
}
