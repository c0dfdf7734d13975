/**
 * One line of a timer bucket file (`<data dir>/timer/buckets/<bucket start ms>.tl`): the derived, rebuildable index
 * of the timer records in the `__sys_timer` system topic whose delivery time falls in that bucket. Files are append
 * only; a timer's state is the fold of its entries (`foldEntries`). Little-endian, 48 bytes:
 *
 *   0   u8   kind            1 scheduled (the record at `current` holds the timer), 2 fired, 3 cancelled
 *   1   u8   reserved        0
 *   2   u16  reserved        0
 *   4   u32  topicId         index into `timer/topics.txt` (the topic the message is delivered to)
 *   8   u64  deliverAt       epoch ms
 *  16   u64  origin          commit-log offset of the timer's first record: its identity, stable across moves
 *  24   u64  current         commit-log offset of the record that holds it now (moved ahead of retention)
 *  32   u64  queueOffset     offset of that record in the `__sys_timer` queue (0 for fired and cancelled)
 *  40   u32  size            bytes of that record (one read when it fires; 0 for fired and cancelled)
 *  44   u32  reserved        0
 */
export const TIMER_ENTRY_BYTES = 48;

export const ENTRY_KIND = { scheduled: 1, fired: 2, cancelled: 3 } as const;
export type EntryKind = keyof typeof ENTRY_KIND;
const KIND_OF: Record<number, EntryKind> = { 1: 'scheduled', 2: 'fired', 3: 'cancelled' };

export interface TimerEntry {
  readonly kind: EntryKind;
  readonly topicId: number;
  readonly deliverAt: number;
  readonly origin: number;
  readonly current: number;
  readonly queueOffset: number;
  readonly size: number;
}

/** Writes `entry` at `pos` of `buf` (at least TIMER_ENTRY_BYTES long from there). */
export function encodeEntry(buf: Buffer, pos: number, entry: TimerEntry): void {
  buf.writeUInt8(ENTRY_KIND[entry.kind], pos);
  buf.writeUInt8(0, pos + 1);
  buf.writeUInt16LE(0, pos + 2);
  buf.writeUInt32LE(entry.topicId, pos + 4);
  writeU64(buf, pos + 8, entry.deliverAt);
  writeU64(buf, pos + 16, entry.origin);
  writeU64(buf, pos + 24, entry.current);
  writeU64(buf, pos + 32, entry.queueOffset);
  buf.writeUInt32LE(entry.size, pos + 40);
  buf.writeUInt32LE(0, pos + 44);
}

export function encodeEntries(entries: readonly TimerEntry[]): Buffer {
  const buf = Buffer.allocUnsafe(entries.length * TIMER_ENTRY_BYTES);
  entries.forEach((e, i) => {
    encodeEntry(buf, i * TIMER_ENTRY_BYTES, e);
  });
  return buf;
}

/**
 * The whole entries of a bucket file. A torn last entry (a crash mid-append) is ignored, as is an entry of an unknown
 * kind: both can only be the tail a crash left, and the `__sys_timer` records after the timer checkpoint are indexed
 * again on start.
 */
export function decodeEntries(buf: Buffer): TimerEntry[] {
  const entries: TimerEntry[] = [];
  for (let pos = 0; pos + TIMER_ENTRY_BYTES <= buf.length; pos += TIMER_ENTRY_BYTES) {
    const kind = KIND_OF[buf.readUInt8(pos)];
    if (!kind) continue;
    entries.push({
      kind,
      topicId: buf.readUInt32LE(pos + 4),
      deliverAt: readU64(buf, pos + 8),
      origin: readU64(buf, pos + 16),
      current: readU64(buf, pos + 24),
      queueOffset: readU64(buf, pos + 32),
      size: buf.readUInt32LE(pos + 40),
    });
  }
  return entries;
}

/** A timer's state after folding its entries. */
export interface FoldedTimer {
  readonly topicId: number;
  readonly deliverAt: number;
  readonly origin: number;
  /** Where its record is now (the latest scheduled entry), and its size. */
  readonly current: number;
  readonly size: number;
  readonly state: 'pending' | 'fired' | 'cancelled';
}

export interface FoldedBucket {
  readonly timers: Map<number, FoldedTimer>;
  /** Highest `__sys_timer` queue offset among its scheduled entries (-1 when none). */
  readonly maxQueueOffset: number;
}

/**
 * The state of every timer of a bucket. Fired and cancelled are final: a scheduled entry after them (the same record
 * indexed again after a restart, or a copy moved ahead of retention) changes nothing. Among scheduled entries the
 * last one names the current record. A fired or cancelled entry without a scheduled one is kept (final) so a later
 * scheduled entry of the same timer cannot revive it.
 */
export function foldEntries(entries: readonly TimerEntry[]): FoldedBucket {
  const timers = new Map<number, FoldedTimer>();
  let maxQueueOffset = -1;
  for (const e of entries) {
    const known = timers.get(e.origin);
    if (e.kind === 'scheduled') {
      if (e.queueOffset > maxQueueOffset) maxQueueOffset = e.queueOffset;
      if (known && known.state !== 'pending') continue;
      timers.set(e.origin, {
        topicId: e.topicId,
        deliverAt: e.deliverAt,
        origin: e.origin,
        current: e.current,
        size: e.size,
        state: 'pending',
      });
    } else if (!known || known.state === 'pending') {
      timers.set(e.origin, {
        topicId: known?.topicId ?? e.topicId,
        deliverAt: known?.deliverAt ?? e.deliverAt,
        origin: e.origin,
        current: known?.current ?? e.current,
        size: known?.size ?? 0,
        state: e.kind,
      });
    }
  }
  return { timers, maxQueueOffset };
}

function writeU64(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32LE(value % 0x1_0000_0000, at);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), at + 4);
}

function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
}
