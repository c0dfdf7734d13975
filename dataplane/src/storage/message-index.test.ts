import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { IndexCorruptError, MessageIndex } from './message-index.js';

// Byte positions from the layout drawn in index-file-layout.ts, used to damage files the way a crash or bad disk would.
const HEADER_BYTES = 64;
const ENTRY_COUNT_AT = 16;
const ENTRY_BYTES = 24;
const PREV_ENTRY_IN_ENTRY = 12;
const entryAt = (slotCount: number, entryNumber: number) => HEADER_BYTES + slotCount * 4 + entryNumber * ENTRY_BYTES;
const fileName = (seq: number) => `${String(seq).padStart(20, '0')}.idx`;
const NOW_MS = 1_750_000_000_000;

const dirs: string[] = [];
async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rocketry-idx-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

async function patchFile(file: string, position: number, bytes: Buffer): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, position);
  } finally {
    await handle.close();
  }
}

const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
};

describe('MessageIndex', () => {
  it('returns every offset added under a key, newest first, and nothing for an unknown key', async () => {
    const index = await MessageIndex.open(await tmpDir(), { slotCount: 64, entryCapacity: 100 });
    index.add('t\u0001Korder-1', 100n, NOW_MS);
    index.add('t\u0001Kother', 150n, NOW_MS);
    index.add('t\u0001Korder-1', 200n, NOW_MS + 1);
    index.add('t\u0001Korder-1', 300n, NOW_MS + 2);

    expect(await index.lookup('t\u0001Korder-1', 10)).toEqual([300n, 200n, 100n]);
    expect(await index.lookup('t\u0001Korder-1', 2)).toEqual([300n, 200n]);
    expect(await index.lookup('t\u0001Kmissing', 10)).toEqual([]);
    await index.close();
  });

  it('keeps many values per key and separates keys whose slots collide into the right chains', async () => {
    // One slot puts every key in the same chain; only the stored key hash tells them apart.
    const index = await MessageIndex.open(await tmpDir(), { slotCount: 1, entryCapacity: 1000 });
    for (let i = 0; i < 300; i++) index.add(`t\u0001Iclient-${i % 3}`, BigInt(i), NOW_MS);

    for (let client = 0; client < 3; client++) {
      const expected = Array.from({ length: 100 }, (_, n) => BigInt(297 + client - 3 * n));
      expect(await index.lookup(`t\u0001Iclient-${client}`, 1000)).toEqual(expected);
    }
    await index.close();
  });

  it('answers lookups after reopen from sealed and active files without any data but its own files', async () => {
    const dir = await tmpDir();
    const options = { slotCount: 16, entryCapacity: 100 };
    const first = await MessageIndex.open(dir, options);
    for (let i = 0; i < 550; i++) first.add(`t\u0001Kkey-${i % 7}`, BigInt(i * 10), NOW_MS + i);
    expect(first.fileCount).toBe(6);
    await first.close();

    const reopened = await MessageIndex.open(dir, options);
    expect(reopened.fileCount).toBe(6);
    for (let key = 0; key < 7; key++) {
      const expected: bigint[] = [];
      for (let i = 549; i >= 0; i--) if (i % 7 === key) expected.push(BigInt(i * 10));
      expect(await reopened.lookup(`t\u0001Kkey-${key}`, 1000)).toEqual(expected);
    }
    reopened.add('t\u0001Kkey-0', 99_999n, NOW_MS);
    expect((await reopened.lookup('t\u0001Kkey-0', 2))[0]).toBe(99_999n);
    await reopened.close();
  });

  it('keeps using the sizes in each file header when reopened with other options', async () => {
    const dir = await tmpDir();
    const first = await MessageIndex.open(dir, { slotCount: 8, entryCapacity: 10 });
    for (let i = 0; i < 15; i++) first.add('t\u0001Kk', BigInt(i), NOW_MS);
    await first.close();

    const reopened = await MessageIndex.open(dir, { slotCount: 512, entryCapacity: 5000 });
    for (let i = 15; i < 20; i++) reopened.add('t\u0001Kk', BigInt(i), NOW_MS);
    expect(reopened.fileCount).toBe(3); // the active file still rolls at its own capacity of 10
    expect(await reopened.lookup('t\u0001Kk', 100)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(19 - i)));
    await reopened.close();
  });

  it('dedupes a (key, offset) added twice', async () => {
    const dir = await tmpDir();
    const index = await MessageIndex.open(dir, { slotCount: 4, entryCapacity: 3 });
    index.add('t\u0001Imsg-1', 42n, NOW_MS);
    index.add('t\u0001Imsg-1', 43n, NOW_MS);
    index.add('t\u0001Imsg-1', 42n, NOW_MS); // fills and seals the first file
    index.add('t\u0001Imsg-1', 42n, NOW_MS); // the same pair again in the next file, as after recovery
    expect(await index.lookup('t\u0001Imsg-1', 10)).toEqual([42n, 43n]);
    await index.close();
  });

  it('flush rewrites only the slot pages and entries changed since the last flush', async () => {
    const dir = await tmpDir();
    const slotCount = 4096; // slots fill file pages 0-4
    const index = await MessageIndex.open(dir, { slotCount, entryCapacity: 100 });
    index.add('t\u0001Ka', 1n, NOW_MS);
    await index.flush();
    const pageOf = (key: string) => (HEADER_BYTES + (crc32(key) % slotCount) * 4) >>> 12;
    const touched = new Set([pageOf('t\u0001Ka'), pageOf('t\u0001Kb')]);
    const untouchedPage = [1, 2, 3].find((page) => !touched.has(page))!;
    const file = path.join(dir, fileName(0));
    await patchFile(file, untouchedPage * 4096, u32(0xffffffff)); // a marker a whole-file write would erase

    index.add('t\u0001Kb', 2n, NOW_MS);
    await index.flush();
    const bytes = await fs.readFile(file);
    expect(bytes.readUInt32LE(untouchedPage * 4096)).toBe(0xffffffff);
    expect(bytes.readUInt32LE(ENTRY_COUNT_AT)).toBe(2);
    expect(bytes.readBigUInt64LE(entryAt(slotCount, 1) + 4)).toBe(2n);
    await index.close();
  });

  it('ignores entries past the durable count after a torn write and keeps the durable entries chained under them', async () => {
    const dir = await tmpDir();
    const first = await MessageIndex.open(dir, { slotCount: 1, entryCapacity: 10 });
    first.add('t\u0001Ka', 100n, NOW_MS);
    first.add('t\u0001Kb', 200n, NOW_MS);
    first.add('t\u0001Ka', 300n, NOW_MS);
    await first.close();
    // As if the slot and entry 3 reached disk but the header count of 3 did not, and the tail holds garbage.
    const file = path.join(dir, fileName(0));
    await patchFile(file, ENTRY_COUNT_AT, u32(2));
    await patchFile(file, entryAt(1, 3), Buffer.alloc(ENTRY_BYTES * 2, 0xa5));

    const reopened = await MessageIndex.open(dir, { slotCount: 1, entryCapacity: 10 });
    expect(await reopened.lookup('t\u0001Ka', 10)).toEqual([100n]);
    expect(await reopened.lookup('t\u0001Kb', 10)).toEqual([200n]);
    reopened.add('t\u0001Ka', 300n, NOW_MS); // the dispatcher re-adds what was not durable
    expect(await reopened.lookup('t\u0001Ka', 10)).toEqual([300n, 100n]);
    await reopened.close();
  });

  it('never hangs on a cyclic chain in a sealed or an active file', async () => {
    const dir = await tmpDir();
    const first = await MessageIndex.open(dir, { slotCount: 1, entryCapacity: 2 });
    first.add('t\u0001Ka', 1n, NOW_MS);
    first.add('t\u0001Kb', 2n, NOW_MS); // seals file 0
    first.add('t\u0001Ka', 3n, NOW_MS); // file 1 stays active with one entry
    await first.close();
    // Sealed file 0 gets the cycle 2 -> 1 -> 2; active file 1 gets the self-loop 1 -> 1.
    await patchFile(path.join(dir, fileName(0)), entryAt(1, 0) + PREV_ENTRY_IN_ENTRY, u32(2));
    await patchFile(path.join(dir, fileName(1)), entryAt(1, 0) + PREV_ENTRY_IN_ENTRY, u32(1));

    const reopened = await MessageIndex.open(dir, { slotCount: 1, entryCapacity: 2 });
    expect(await reopened.lookup('t\u0001Kunknown', 10)).toEqual([]);
    expect(await reopened.lookup('t\u0001Ka', 10)).toEqual([3n, 1n]);
    await reopened.close();
  });

  it('rejects an offset outside u64 or a timestamp that is not epoch ms without storing anything', async () => {
    const index = await MessageIndex.open(await tmpDir(), { slotCount: 4, entryCapacity: 10 });
    expect(() => index.add('t\u0001Kk', -1n, NOW_MS)).toThrow(RangeError);
    expect(() => index.add('t\u0001Kk', 2n ** 64n, NOW_MS)).toThrow(RangeError);
    expect(() => index.add('t\u0001Kk', 1n, 1.5)).toThrow(RangeError);
    index.add('t\u0001Kk', 2n ** 64n - 1n, NOW_MS);
    expect(await index.lookup('t\u0001Kk', 10)).toEqual([2n ** 64n - 1n]);
    await index.close();
  });

  it('deleteFilesBelow removes only files entirely below the offset', async () => {
    const dir = await tmpDir();
    const index = await MessageIndex.open(dir, { slotCount: 4, entryCapacity: 2 });
    for (const offset of [0n, 10n, 20n, 30n, 40n]) index.add('t\u0001Kk', offset, NOW_MS);
    await index.flush(); // seals files 0 (max 10) and 1 (max 30); file 2 is active
    expect(index.fileCount).toBe(3);

    expect(await index.deleteFilesBelow(30n)).toBe(1);
    expect((await fs.readdir(dir)).sort()).toEqual([fileName(1), fileName(2)]);
    expect(await index.lookup('t\u0001Kk', 10)).toEqual([40n, 30n, 20n]);
    expect(await index.deleteFilesBelow(1000n)).toBe(1); // the active file is never deleted
    expect(index.fileCount).toBe(1);
    expect(await index.lookup('t\u0001Kk', 10)).toEqual([40n]);
    await index.close();
  });

  it('rejects a file with a bad magic with IndexCorruptError naming the file', async () => {
    const dir = await tmpDir();
    await (await MessageIndex.open(dir, { slotCount: 4, entryCapacity: 4 })).close();
    const file = path.join(dir, fileName(0));
    await patchFile(file, 0, u32(0xdeadbeef));

    const opened = MessageIndex.open(dir, { slotCount: 4, entryCapacity: 4 });
    await expect(opened).rejects.toBeInstanceOf(IndexCorruptError);
    await expect(opened).rejects.toMatchObject({ file });
  });

  it('rejects a file whose size disagrees with its header', async () => {
    const dir = await tmpDir();
    await (await MessageIndex.open(dir, { slotCount: 4, entryCapacity: 4 })).close();
    const file = path.join(dir, fileName(0));
    await fs.truncate(file, 100);

    await expect(MessageIndex.open(dir, { slotCount: 4, entryCapacity: 4 })).rejects.toMatchObject({
      name: 'IndexCorruptError',
      file,
    });
  });

  it('rejects sizes that are not positive integers within the maxima', async () => {
    const dir = await tmpDir();
    for (const options of [
      { slotCount: 0, entryCapacity: 10 },
      { slotCount: 1.5, entryCapacity: 10 },
      { slotCount: 10, entryCapacity: 2 ** 30 },
    ]) {
      await expect(MessageIndex.open(dir, options)).rejects.toBeInstanceOf(RangeError);
    }
  });

  it('returns correct results for 200,000 adds and 200,000 lookups after reopen', async () => {
    const dir = await tmpDir();
    // One sealed file (read from disk) plus the active file. Every lookup reads the sealed file's slot; 4 slots per
    // entry keep its chains at about 0.25 entries, so each lookup costs about 1.3 positional reads.
    const options = { slotCount: 524_288, entryCapacity: 131_072 };
    const count = 200_000;
    const keyOf = (i: number) => `TopicA\u0001Imsg-${i}`;
    const first = await MessageIndex.open(dir, options);
    for (let i = 0; i < count; i++) first.add(keyOf(i), BigInt(i) * 512n, NOW_MS + i);
    await first.close();

    const reopened = await MessageIndex.open(dir, options);
    expect(reopened.fileCount).toBe(2);
    const wrong: string[] = [];
    const batch = 100;
    for (let start = 0; start < count; start += batch) {
      const keys = Array.from({ length: batch }, (_, n) => start + n);
      const results = await Promise.all(keys.map((i) => reopened.lookup(keyOf(i), 8)));
      results.forEach((offsets, n) => {
        const i = start + n;
        // Anything besides the expected offset must be a crc32 collision, which the caller filters by reading the record.
        const collisionsOnly = offsets.every((o) => crc32(keyOf(Number(o / 512n))) === crc32(keyOf(i)));
        if (!offsets.includes(BigInt(i) * 512n) || !collisionsOnly) wrong.push(`${keyOf(i)} -> ${offsets.join(',')}`);
      });
    }
    expect(wrong).toEqual([]);
    await reopened.close();
  });
});
