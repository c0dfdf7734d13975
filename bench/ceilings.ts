import { randomBytes } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { Samples } from './stats.js';

/** What the disk does for plain Node code with no storage engine in the way: the bar the store is measured against. */
export interface WriteCeiling {
  readonly bytes: number;
  readonly mbPerSec: number;
  readonly mbPerSecWithoutSync: number;
  readonly syncMs: number;
}

export interface SyncCeiling {
  readonly syncs: number;
  readonly syncsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const CHUNK_BYTES = 1 << 20;
const MB = 1e6;

/** Sequential 1 MiB buffered writes of `bytes` in total, one in flight (like the commit log), then one fdatasync. */
export async function rawWriteCeiling(path: string, bytes: number): Promise<WriteCeiling> {
  const chunk = randomBytes(CHUNK_BYTES);
  const file = await open(path, 'wx');
  try {
    const started = performance.now();
    for (let at = 0; at < bytes; ) {
      at += (await file.write(chunk, 0, Math.min(CHUNK_BYTES, bytes - at), at)).bytesWritten;
    }
    const written = performance.now();
    await file.datasync();
    const synced = performance.now();
    return {
      bytes,
      mbPerSec: bytes / MB / ((synced - started) / 1000),
      mbPerSecWithoutSync: bytes / MB / ((written - started) / 1000),
      syncMs: synced - written,
    };
  } finally {
    await file.close();
    await unlink(path);
  }
}

/** Appends 1 KiB and fdatasyncs it, in a loop: the best a single synchronous producer could ever get. */
export async function rawSyncCeiling(path: string, durationMs: number): Promise<SyncCeiling> {
  const record = randomBytes(1024);
  const latencies = new Samples();
  const file = await open(path, 'wx');
  try {
    const started = performance.now();
    let now = started;
    for (let at = 0; now - started < durationMs; at += record.length) {
      const before = now;
      await file.write(record, 0, record.length, at);
      await file.datasync();
      now = performance.now();
      latencies.push(now - before);
    }
    const [p50Ms = Number.NaN, p99Ms = Number.NaN] = latencies.percentiles(0.5, 0.99);
    return { syncs: latencies.count, syncsPerSec: latencies.count / ((now - started) / 1000), p50Ms, p99Ms };
  } finally {
    await file.close();
    await unlink(path);
  }
}
