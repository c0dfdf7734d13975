import { type FileHandle, mkdir, open, readdir, readFile, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import { Code, DataplaneError } from '../../lib/errors.js';
import { readFileIfExists, writeFileAtomic } from '../../storage/atomic-file.js';

/**
 * What must survive a crash about transactions beyond the half messages themselves (those are in the commit log):
 * how each was resolved, how often it was checked, and where a half message was copied ahead of retention.
 */
export type TxnRecord =
  /** Snapshot only, first: half-queue offsets below `scanned` are covered by the snapshot; `journal` follows it. */
  | { readonly type: 'header'; readonly scanned: number; readonly journal: number }
  /** Snapshot only: an unresolved half message. */
  | {
      readonly type: 'entry';
      readonly txnId: string;
      readonly messageId: string;
      readonly topic: string;
      readonly clientId: string;
      readonly halfOffset: number;
      readonly physicalOffset: number;
      readonly storeTimestamp: number;
      readonly checks: number;
      readonly since: number;
    }
  | {
      readonly type: 'resolved';
      readonly txnId: string;
      readonly halfOffset: number;
      readonly resolution: Resolution;
    }
  | { readonly type: 'checked'; readonly txnId: string; readonly checks: number; readonly at: number }
  /** The half message now lives at a new place (a copy written ahead of retention). */
  | { readonly type: 'moved'; readonly txnId: string; readonly halfOffset: number; readonly physicalOffset: number };

export type Resolution = 'commit' | 'rollback';

/**
 * One record, little-endian; every type uses the same layout and leaves unused fields zero or empty:
 *
 *   0   u32  size          of the whole record
 *   4   u32  crc32         over bytes [8,size)
 *   8   u8   type          0 header, 1 entry, 2 resolved, 3 checked, 4 moved
 *   9   u8   resolution    0 none, 1 commit, 2 rollback
 *  10   u16  checks
 *  12   u64  halfOffset    (header: scanned)
 *  20   u64  physicalOffset (header: journal number)
 *  28   u64  time          entry: storeTimestamp; checked: at
 *  36   u64  since
 *  44   u16 length + txnId, u16 + messageId, u16 + topic, u16 + clientId (UTF-8)
 */
const TYPES = ['header', 'entry', 'resolved', 'checked', 'moved'] as const;
const RESOLUTIONS = [undefined, 'commit', 'rollback'] as const;
const FIXED = 44 + 4 * 2;
const SNAPSHOT = 'snapshot.bin';
const journalName = (n: number) => `journal-${String(n).padStart(10, '0')}.log`;
const JOURNAL_PATTERN = /^journal-(\d{10})\.log$/;

export interface TxnReplay {
  /** Half-queue offsets below it are covered by `entries` and the records. */
  readonly scanned: number;
  /** The snapshot's entries and its resolved records, then every journaled record since, in order. */
  readonly records: readonly TxnRecord[];
}

/**
 * The transaction journal in `<data>/txn/`: a snapshot plus append-only logs of CRC-framed records (the layout of the
 * pop journal). Appends are written once per event-loop turn; `durable()` resolves when they are written and, with
 * `syncFlush`, fdatasync'ed (in async mode an fdatasync runs every 200 ms). `rotate` writes a new snapshot and drops
 * the older logs, so replay stays short. A torn record at the end of a log is cut off.
 */
export class TxnJournal {
  private pending: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private dirty = false;
  private failed: Error | undefined;
  private bytes = 0;
  private readonly syncTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly dir: string,
    private file: FileHandle,
    private number: number,
    private readonly syncFlush: boolean,
  ) {
    if (!syncFlush) {
      this.syncTimer = setInterval(() => {
        void this.enqueue(async () => {
          if (!this.dirty) return;
          this.dirty = false;
          await this.file.datasync();
        });
      }, 200);
      this.syncTimer.unref();
    }
  }

  static async open(
    dataDir: string,
    syncFlush: boolean,
    log: Logger,
  ): Promise<{ journal: TxnJournal; replay: TxnReplay }> {
    const dir = join(dataDir, 'txn');
    await mkdir(dir, { recursive: true });
    const records: TxnRecord[] = [];
    let scanned = 0;
    let first = 0;
    const raw = await readFileIfExists(join(dir, SNAPSHOT));
    if (raw) {
      const { good, end } = decodeTxnRecords(raw);
      const header = good[0];
      if (end !== raw.length || header?.type !== 'header') {
        throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `transaction snapshot ${join(dir, SNAPSHOT)} is damaged`);
      }
      scanned = header.scanned;
      first = header.journal;
      records.push(...good.slice(1));
    }
    const numbers = (await readdir(dir))
      .map((name) => JOURNAL_PATTERN.exec(name))
      .flatMap((m) => (m ? [Number(m[1])] : []))
      .sort((a, b) => a - b);
    for (const n of numbers) {
      if (n < first) continue;
      const path = join(dir, journalName(n));
      const { good, end } = decodeTxnRecords(await readFile(path));
      records.push(...good.filter((r) => r.type !== 'header' && r.type !== 'entry'));
      const { size } = await stat(path);
      if (end < size) {
        log.warn({ file: path, kept: end, dropped: size - end }, 'transaction journal: torn tail cut off');
        await truncate(path, end);
      }
    }
    const next = Math.max(first, ...numbers, 0) + 1;
    const file = await open(join(dir, journalName(next)), 'a');
    return { journal: new TxnJournal(dir, file, next, syncFlush), replay: { scanned, records } };
  }

  /** Bytes appended to the current log. */
  get size(): number {
    return this.bytes;
  }

  append(record: TxnRecord): void {
    if (this.failed) throw this.failed;
    const buf = encodeTxnRecord(record);
    this.bytes += buf.length;
    this.pending.push(buf);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.writePending());
    }
  }

  /** Resolves when everything appended so far is as durable as the flush mode promises. */
  durable(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pending.length === 0) return this.writing.then(() => this.check());
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.check());
  }

  /**
   * Starts a new log, then saves the snapshot (`scanned` and the records describing the state, including every record
   * appended so far) and deletes the older logs. Records appended after this call go to the new log.
   */
  rotate(scanned: number, state: readonly TxnRecord[]): Promise<void> {
    this.writePending();
    return this.enqueue(async () => {
      await this.file.datasync();
      await this.file.close();
      this.number++;
      this.file = await open(join(this.dir, journalName(this.number)), 'a');
      this.bytes = 0;
      const parts = [encodeTxnRecord({ type: 'header', scanned, journal: this.number }), ...state.map(encodeTxnRecord)];
      await writeFileAtomic(join(this.dir, SNAPSHOT), Buffer.concat(parts));
      for (const name of await readdir(this.dir)) {
        const m = JOURNAL_PATTERN.exec(name);
        if (m && Number(m[1]) < this.number) await unlink(join(this.dir, name));
      }
    });
  }

  async close(): Promise<void> {
    clearInterval(this.syncTimer);
    this.writePending();
    await this.writing;
    if (!this.failed) await this.file.datasync();
    await this.file.close();
  }

  private writePending(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    void this.enqueue(async () => {
      await this.file.writev(batch);
      if (this.syncFlush) await this.file.datasync();
      else this.dirty = true;
    }).finally(() => {
      for (const resolve of waiters) resolve();
    });
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.failed) return;
      try {
        await op();
      } catch (err) {
        // A failed write or fsync may have lost records: refuse further resolutions rather than pretend.
        this.failed = new DataplaneError(Code.INTERNAL_SERVER_ERROR, 'transaction journal write failed', {
          cause: err,
        });
      }
    });
    return this.writing;
  }

  private check(): void {
    if (this.failed) throw this.failed;
  }
}

export function encodeTxnRecord(r: TxnRecord): Buffer {
  const strings = [
    'txnId' in r ? r.txnId : '',
    r.type === 'entry' ? r.messageId : '',
    r.type === 'entry' ? r.topic : '',
    r.type === 'entry' ? r.clientId : '',
  ].map((s) => Buffer.from(s, 'utf8'));
  const size = FIXED + strings.reduce((n, s) => n + s.length, 0);
  const buf = Buffer.alloc(size);
  buf.writeUInt32LE(size, 0);
  buf.writeUInt8(TYPES.indexOf(r.type), 8);
  buf.writeUInt8(r.type === 'resolved' ? RESOLUTIONS.indexOf(r.resolution) : 0, 9);
  buf.writeUInt16LE(r.type === 'entry' || r.type === 'checked' ? Math.min(r.checks, 0xffff) : 0, 10);
  const halfOffset = r.type === 'header' ? r.scanned : r.type === 'checked' ? 0 : r.halfOffset;
  const physical = r.type === 'header' ? r.journal : r.type === 'entry' || r.type === 'moved' ? r.physicalOffset : 0;
  const time = r.type === 'entry' ? r.storeTimestamp : r.type === 'checked' ? r.at : 0;
  buf.writeBigUInt64LE(BigInt(halfOffset), 12);
  buf.writeBigUInt64LE(BigInt(physical), 20);
  buf.writeBigUInt64LE(BigInt(time), 28);
  buf.writeBigUInt64LE(BigInt(r.type === 'entry' ? r.since : 0), 36);
  let at = 44;
  for (const s of strings) {
    buf.writeUInt16LE(s.length, at);
    s.copy(buf, at + 2);
    at += 2 + s.length;
  }
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

/** Records up to the first one that is incomplete or fails its checks, and where that one starts. */
export function decodeTxnRecords(buf: Buffer): { good: TxnRecord[]; end: number } {
  const good: TxnRecord[] = [];
  let at = 0;
  while (at + FIXED <= buf.length) {
    const size = buf.readUInt32LE(at);
    if (size < FIXED || at + size > buf.length) break;
    const rec = buf.subarray(at, at + size);
    if (crc32(rec.subarray(8)) !== rec.readUInt32LE(4)) break;
    const decoded = decodeOne(rec);
    if (!decoded) break;
    good.push(decoded);
    at += size;
  }
  return { good, end: at };
}

function decodeOne(rec: Buffer): TxnRecord | undefined {
  const type = TYPES[rec.readUInt8(8)];
  const strings: string[] = [];
  let at = 44;
  for (let i = 0; i < 4; i++) {
    if (at + 2 > rec.length) return undefined;
    const length = rec.readUInt16LE(at);
    if (at + 2 + length > rec.length) return undefined;
    strings.push(rec.toString('utf8', at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (at !== rec.length) return undefined;
  const [txnId = '', messageId = '', topic = '', clientId = ''] = strings;
  const checks = rec.readUInt16LE(10);
  const halfOffset = Number(rec.readBigUInt64LE(12));
  const physicalOffset = Number(rec.readBigUInt64LE(20));
  const time = Number(rec.readBigUInt64LE(28));
  switch (type) {
    case 'header':
      return { type, scanned: halfOffset, journal: physicalOffset };
    case 'entry':
      return {
        type,
        txnId,
        messageId,
        topic,
        clientId,
        halfOffset,
        physicalOffset,
        storeTimestamp: time,
        checks,
        since: Number(rec.readBigUInt64LE(36)),
      };
    case 'resolved': {
      const resolution = RESOLUTIONS[rec.readUInt8(9)];
      return resolution ? { type, txnId, halfOffset, resolution } : undefined;
    }
    case 'checked':
      return { type, txnId, checks, at: time };
    case 'moved':
      return { type, txnId, halfOffset, physicalOffset };
    default:
      return undefined;
  }
}
