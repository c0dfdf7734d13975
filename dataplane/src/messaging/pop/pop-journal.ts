import { writeSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import { z } from 'zod';
import { Code, DataplaneError } from '../../lib/errors.js';
import { readFileIfExists, writeFileAtomic } from '../../storage/atomic-file.js';

/**
 * Facts about pop consumption that must survive a crash. Deliveries are not journaled: a message delivered but not
 * acked before a crash is simply delivered again (at least once); acks are, so an acked message never comes back.
 */
export type PopRecord =
  /** Consumption of the queue (re)starts at `offset` (a new subscription, an offset reset, UpdateOffset). */
  | {
      readonly type: 'reset';
      readonly group: string;
      readonly topic: string;
      readonly queueId: number;
      readonly offset: number;
    }
  /** The entry is done: acked, dead-lettered. */
  | {
      readonly type: 'ack';
      readonly group: string;
      readonly topic: string;
      readonly queueId: number;
      readonly offset: number;
    }
  /** The entry has been delivered `attempt` times (journaled from the second delivery on, for max attempts). */
  | {
      readonly type: 'attempt';
      readonly group: string;
      readonly topic: string;
      readonly queueId: number;
      readonly offset: number;
      readonly attempt: number;
    };

const SnapshotQueue = z.object({
  group: z.string(),
  topic: z.string(),
  queueId: z.int().min(0),
  committed: z.int().min(0),
  cursor: z.int().min(0),
  /** [offset, deliveries so far] of every outstanding entry. */
  unacked: z.array(z.tuple([z.int().min(0), z.int().min(0)])),
});
export type SnapshotQueue = z.infer<typeof SnapshotQueue>;
const Snapshot = z.object({ version: z.literal(1), journal: z.int().min(0), queues: z.array(SnapshotQueue) });

export interface Replay {
  readonly snapshot: readonly SnapshotQueue[];
  /** Journaled after the snapshot, in order. */
  readonly records: readonly PopRecord[];
}

const TYPES = ['reset', 'ack', 'attempt'] as const;
/** u32 length, u32 crc32 of the rest, u8 type, u16 queue id, u16 attempt, u64 offset, u16+group, u16+topic. */
const FIXED = 4 + 4 + 1 + 2 + 2 + 8 + 2 + 2;
const SNAPSHOT = 'snapshot.json';
const journalName = (n: number) => `journal-${String(n).padStart(10, '0')}.log`;
const JOURNAL_PATTERN = /^journal-(\d{10})\.log$/;

/**
 * The pop-state journal in `<data>/pop/`: a snapshot of every queue's state plus an append-only log of records since,
 * each framed with its length and CRC32. Appends are batched into one write per event-loop turn; `durable()` resolves
 * once they are written (and, with `syncFlush`, fdatasync'ed); in async mode an fdatasync runs every 200 ms.
 * `rotate` starts a new log and writes a snapshot, then drops the old logs: replay never grows without bound.
 * A torn record at the end of a log (a crash mid-write) is cut off; later logs are still read.
 */
export class PopJournal {
  private pending: Buffer[] = [];
  private pendingWaiters: (() => void)[] = [];
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
        this.enqueue(async () => {
          if (!this.dirty) return;
          this.dirty = false;
          await this.file.datasync();
        });
      }, 200);
      this.syncTimer.unref();
    }
  }

  /** Reads what the last run left (snapshot and logs) and opens a fresh log after them. */
  static async open(
    dataDir: string,
    syncFlush: boolean,
    log: Logger,
  ): Promise<{ journal: PopJournal; replay: Replay }> {
    const dir = join(dataDir, 'pop');
    await mkdir(dir, { recursive: true });
    const raw = await readFileIfExists(join(dir, SNAPSHOT));
    let snapshot: z.infer<typeof Snapshot> = { version: 1, journal: 0, queues: [] };
    if (raw) {
      const parsed = Snapshot.safeParse(JSON.parse(raw.toString('utf8')));
      if (!parsed.success) {
        throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `pop snapshot ${join(dir, SNAPSHOT)} is invalid`);
      }
      snapshot = parsed.data;
    }
    const numbers = (await readdir(dir))
      .map((name) => JOURNAL_PATTERN.exec(name))
      .flatMap((m) => (m ? [Number(m[1])] : []))
      .sort((a, b) => a - b);
    const records: PopRecord[] = [];
    for (const n of numbers) {
      if (n < snapshot.journal) continue;
      const path = join(dir, journalName(n));
      const { good, end } = decodeRecords(await readFile(path));
      records.push(...good);
      const { size } = await stat(path);
      if (end < size) {
        log.warn({ file: path, kept: end, dropped: size - end }, 'pop journal: torn tail cut off');
        await truncate(path, end);
      }
    }
    const next = Math.max(snapshot.journal, ...numbers, 0) + 1;
    const file = await open(join(dir, journalName(next)), 'a');
    return { journal: new PopJournal(dir, file, next, syncFlush), replay: { snapshot: snapshot.queues, records } };
  }

  /** Bytes appended to the current log. */
  get size(): number {
    return this.bytes;
  }

  append(record: PopRecord): void {
    if (this.failed) throw this.failed;
    const buf = encodeRecord(record);
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
    return new Promise<void>((resolve) => this.pendingWaiters.push(resolve)).then(() => this.check());
  }

  /**
   * Starts a new log, then saves `snapshot` (the state including every record appended so far) and deletes the older
   * logs. Records appended after this call go to the new log.
   */
  rotate(snapshot: readonly SnapshotQueue[]): Promise<void> {
    this.writePending();
    return this.enqueue(async () => {
      await this.file.datasync();
      await this.file.close();
      this.number++;
      this.file = await open(join(this.dir, journalName(this.number)), 'a');
      this.bytes = 0;
      const body: z.infer<typeof Snapshot> = { version: 1, journal: this.number, queues: [...snapshot] };
      await writeFileAtomic(join(this.dir, SNAPSHOT), JSON.stringify(body));
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
    const waiters = this.pendingWaiters;
    this.pending = [];
    this.pendingWaiters = [];
    void this.enqueue(async () => {
      // One buffer, not one iovec per record: a receive of 32 messages journals 32 small records.
      const bytes = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch);
      if (this.syncFlush) {
        await this.file.write(bytes);
        await this.file.datasync();
      } else {
        // Into the page cache on this thread: a few KiB cost less than a thread-pool round trip.
        appendSync(this.file.fd, bytes);
        this.dirty = true;
      }
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
        // A failed write or fsync may have lost records; refuse further acks rather than pretend they are durable.
        this.failed = new DataplaneError(Code.INTERNAL_SERVER_ERROR, 'pop journal write failed', { cause: err });
      }
    });
    return this.writing;
  }

  private check(): void {
    if (this.failed) throw this.failed;
  }
}

function appendSync(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
}

function encodeRecord(r: PopRecord): Buffer {
  const group = Buffer.from(r.group, 'utf8');
  const topic = Buffer.from(r.topic, 'utf8');
  const buf = Buffer.allocUnsafe(FIXED + group.length + topic.length);
  buf.writeUInt32LE(buf.length, 0);
  buf.writeUInt8(TYPES.indexOf(r.type), 8);
  buf.writeUInt16LE(r.queueId, 9);
  buf.writeUInt16LE(r.type === 'attempt' ? Math.min(r.attempt, 0xffff) : 0, 11);
  buf.writeBigUInt64LE(BigInt(r.offset), 13);
  buf.writeUInt16LE(group.length, 21);
  group.copy(buf, 23);
  buf.writeUInt16LE(topic.length, 23 + group.length);
  topic.copy(buf, 25 + group.length);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

/** Records up to the first one that is incomplete or fails its check, and where that one starts. */
export function decodeRecords(buf: Buffer): { good: PopRecord[]; end: number } {
  const good: PopRecord[] = [];
  let at = 0;
  while (at + FIXED <= buf.length) {
    const size = buf.readUInt32LE(at);
    if (size < FIXED || at + size > buf.length) break;
    const rec = buf.subarray(at, at + size);
    if (crc32(rec.subarray(8)) !== rec.readUInt32LE(4)) break;
    const type = TYPES[rec.readUInt8(8)];
    const groupLength = rec.readUInt16LE(21);
    if (!type || FIXED + groupLength > size) break;
    const topicLength = rec.readUInt16LE(23 + groupLength);
    if (FIXED + groupLength + topicLength !== size) break;
    const base = {
      group: rec.toString('utf8', 23, 23 + groupLength),
      topic: rec.toString('utf8', 25 + groupLength, 25 + groupLength + topicLength),
      queueId: rec.readUInt16LE(9),
      offset: Number(rec.readBigUInt64LE(13)),
    };
    good.push(type === 'attempt' ? { type, ...base, attempt: rec.readUInt16LE(11) } : { type, ...base });
    at += size;
  }
  return { good, end: at };
}
