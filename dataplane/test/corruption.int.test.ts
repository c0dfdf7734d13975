import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type TempDir, tempDir } from '@rocketry/testkit';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageCorruptionError } from '../src/lib/errors.js';
import { checkpointPath } from '../src/storage/checkpoint.js';
import { message, openStore, testConfig } from './support/store.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

const segmentsOf = async (dataDir: string) => (await readdir(join(dataDir, 'commitlog'))).sort();

/** Fills several segments and closes the store; returns the offsets of the records it wrote. */
async function fill(dataDir: string, count = 400): Promise<bigint[]> {
  const store = await openStore(testConfig(dataDir));
  const receipts = await Promise.all(
    Array.from({ length: count }, (_, n) => store.append(message('c', 0, n, { body: Buffer.alloc(8000, n & 0xff) }))),
  );
  await store.close();
  return receipts.map((r) => r.physicalOffset);
}

async function flipByte(file: string, position: number): Promise<void> {
  const handle = await open(file, 'r+');
  const b = Buffer.alloc(1);
  await handle.read(b, 0, 1, position);
  b[0] = (b[0] as number) ^ 0xff;
  await handle.write(b, 0, 1, position);
  await handle.close();
}

function capturingLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('corruption and torn writes', () => {
  it('refuses to start on a flipped byte in a sealed segment, naming the file and offset', async () => {
    await fill(dir.path);
    const [, second] = await segmentsOf(dir.path);
    const file = join(dir.path, 'commitlog', second as string);
    await flipByte(file, 5000);
    await rm(checkpointPath(dir.path)); // without a checkpoint, recovery verifies every record
    const error = await openStore(testConfig(dir.path)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageCorruptionError);
    const corruption = error as StorageCorruptionError;
    expect(corruption.file).toBe(file);
    expect(corruption.position).toBeLessThanOrEqual(5000);
    expect(corruption.offset).toBe(BigInt(Number(second)) + BigInt(corruption.position));
    expect(corruption.message).toContain(file);
  });

  it('reports a flipped byte below the checkpoint when the record is read', async () => {
    const offsets = await fill(dir.path);
    const [first] = await segmentsOf(dir.path);
    const file = join(dir.path, 'commitlog', first as string);
    await flipByte(file, Number(offsets[3]) + 100);
    const store = await openStore(testConfig(dir.path));
    try {
      const error = await store.read('c', 0, 3n, { maxCount: 1, maxBytes: 1 << 20 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageCorruptionError);
      expect((error as StorageCorruptionError).file).toBe(file);
      expect((error as StorageCorruptionError).offset).toBe(offsets[3]);
      const fine = await store.read('c', 0, 4n, { maxCount: 1, maxBytes: 1 << 20 });
      expect(fine.kind).toBe('found');
    } finally {
      await store.close();
    }
  });

  it('with the repair flag, skips the corrupt record and keeps the rest', async () => {
    await fill(dir.path);
    const [, second] = await segmentsOf(dir.path);
    await flipByte(join(dir.path, 'commitlog', second as string), 5000);
    await rm(checkpointPath(dir.path));
    const { log, lines } = capturingLog();
    const store = await openStore(testConfig(dir.path, { repair: true }), { log });
    try {
      // One record is lost to the flipped byte; its queue offset stays as a hole that reads step over.
      expect(store.queueOffsets('c', 0).max).toBe(400n);
      const read = await store.read('c', 0, 0n, { maxCount: 1000, maxBytes: 64 << 20 });
      expect(read.kind === 'found' && read.messages.length).toBe(399);
      expect(read.kind === 'found' && read.nextOffset).toBe(400n);
      expect(lines.some((l) => l.includes('repair skipped a corrupt stretch'))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('truncates a torn tail silently and logs it, then appends after the last whole record', async () => {
    const offsets = await fill(dir.path, 50);
    const segments = await segmentsOf(dir.path);
    const last = join(dir.path, 'commitlog', segments[segments.length - 1] as string);
    const sizeBefore = (await stat(last)).size;
    // A write cut short by a crash: the first half of a copy of the last record.
    const handle = await open(last, 'r+');
    const lastStart = Number(offsets[49]) - Number(segments[segments.length - 1]);
    const half = Buffer.alloc(4000);
    await handle.read(half, 0, half.length, lastStart);
    await handle.write(half, 0, half.length, sizeBefore);
    await handle.close();
    const { log, lines } = capturingLog();
    const store = await openStore(testConfig(dir.path), { log });
    try {
      expect((await stat(last)).size).toBe(sizeBefore);
      expect(lines.some((l) => l.includes('truncated torn tail'))).toBe(true);
      const r = await store.append(message('c', 0, 50));
      expect(r.queueOffset).toBe(50n);
      expect(r.physicalOffset).toBe(BigInt(Number(segments[segments.length - 1]) + sizeBefore));
    } finally {
      await store.close();
    }
  });

  it('rebuilds consume queues and the index when they are deleted', async () => {
    await fill(dir.path, 100);
    await rm(join(dir.path, 'consumequeue'), { recursive: true });
    await rm(join(dir.path, 'index'), { recursive: true });
    const store = await openStore(testConfig(dir.path));
    try {
      expect(store.openReport.rebuilt).toBe(true);
      expect(store.queueOffsets('c', 0)).toEqual({ min: 0n, max: 100n });
      expect((await store.lookupByMessageId('c', 'id-c-0-42')).length).toBe(1);
    } finally {
      await store.close();
    }
  });
});
