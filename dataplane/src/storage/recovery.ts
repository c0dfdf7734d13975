import { StorageCorruptionError } from '../lib/errors.js';
import { decodeRecord, RECORD_MIN_BYTES, type StoredMessage } from './record-codec.js';
import type { Segment, SegmentSet } from './segment-set.js';

export interface ScanOptions {
  /** Bytes one write can cover: a failed check at most this far from the end of the newest segment is a torn tail. */
  readonly maxTornBytes: number;
  /** Skip a corrupt stretch of a sealed segment (resyncing on the next valid record) instead of refusing to start. */
  readonly repair: boolean;
  readonly chunkBytes?: number;
  /** Called after each chunk read with the offset reached, so a long recovery shows progress. */
  readonly onProgress?: (offset: number) => void;
}

export interface ScanReport {
  /** Offset after the last valid record: where appends continue. */
  readonly validEnd: number;
  readonly records: number;
  /** Bytes cut from the newest segment's end (a write the crash interrupted). */
  readonly tornBytes: number;
  /** Corrupt stretches skipped under `repair`. */
  readonly skipped: readonly { file: string; position: number; length: number; reason: string }[];
}

/**
 * Verifies every record from `from` to the end of the log by CRC and hands each valid one to `onRecord` in order.
 * A bad record near the end of the newest segment is a torn write and is truncated; anywhere else it is corruption:
 * StorageCorruptionError names the file and position, unless `repair` skips to the next valid record.
 */
export async function scanLog(
  segments: SegmentSet,
  from: number,
  options: ScanOptions,
  onRecord: (message: StoredMessage) => void | Promise<void>,
): Promise<ScanReport> {
  const chunkBytes = options.chunkBytes ?? 8 << 20;
  const skipped: { file: string; position: number; length: number; reason: string }[] = [];
  let records = 0;
  let tornBytes = 0;
  let validEnd = from;
  for (const segment of [...segments.segments]) {
    const end = segment.start + segment.length;
    if (end <= from) continue;
    const isNewest = segment === segments.last;
    let position = Math.max(0, from - segment.start);
    let buf: Buffer = Buffer.alloc(0);
    let bufStart = position;
    while (position < segment.length) {
      if (position - bufStart + RECORD_MIN_BYTES > buf.length || position >= bufStart + buf.length) {
        buf = await readChunk(segment, position, chunkBytes);
        bufStart = position;
        options.onProgress?.(segment.start + position);
      }
      let result = decodeRecord(buf, position - bufStart, BigInt(segment.start + position));
      if (result.kind === 'incomplete' && bufStart + buf.length < segment.length) {
        buf = await readChunk(segment, position, Math.max(chunkBytes, result.size));
        bufStart = position;
        result = decodeRecord(buf, 0, BigInt(segment.start + position));
      }
      if (result.kind === 'record') {
        await onRecord(result.message);
        records++;
        position += result.message.size;
        validEnd = segment.start + position;
        continue;
      }
      const reason =
        result.kind === 'corrupt' ? result.reason : result.kind === 'end' ? 'unwritten space' : 'record cut short';
      if (isNewest && segment.length - position <= options.maxTornBytes) {
        tornBytes = segment.length - position;
        await segment.file.truncate(position);
        segment.length = position;
        break;
      }
      if (!options.repair) {
        throw new StorageCorruptionError(segment.file.path, position, BigInt(segment.start + position), reason);
      }
      const next = await findNextRecord(segment, position + 1, chunkBytes);
      skipped.push({ file: segment.file.path, position, length: next - position, reason });
      position = next;
      bufStart = position;
      buf = Buffer.alloc(0);
    }
    if (position >= segment.length) validEnd = Math.max(validEnd, segment.start + segment.length);
  }
  return { validEnd, records, tornBytes, skipped };
}

async function readChunk(segment: Segment, position: number, bytes: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(Math.min(bytes, segment.length - position));
  const read = await segment.file.read(buf, position);
  return buf.subarray(0, read);
}

/** Position of the next record that passes every check (magic, CRC, own offset), or the segment's end. */
async function findNextRecord(segment: Segment, from: number, chunkBytes: number): Promise<number> {
  let position = from;
  while (position + RECORD_MIN_BYTES <= segment.length) {
    const probe = await readChunk(segment, position, chunkBytes);
    let i = 0;
    for (; i + RECORD_MIN_BYTES <= probe.length; i++) {
      const offset = BigInt(segment.start + position + i);
      const result = decodeRecord(probe, i, offset);
      if (result.kind === 'record') return position + i;
      if (result.kind !== 'incomplete') continue;
      if (i > 0) break; // re-read from here
      const whole = await readChunk(segment, position, result.size);
      if (decodeRecord(whole, 0, offset).kind === 'record') return position;
    }
    position += Math.max(i, 1);
  }
  return segment.length;
}
