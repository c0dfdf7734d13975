import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type TempDir, tempDir } from '@rocketry/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../src/lib/clock.js';
import type { MessageStore } from '../src/storage/message-store.js';
import { message, openStore, testConfig } from './support/store.js';

const HOUR = 3600_000;
let dir: TempDir;
let store: MessageStore | undefined;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  await dir.remove();
});

/** A clock the test moves; retention compares it with the segments' last write time. */
const movableClock = () => {
  const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
  return clock satisfies Clock;
};

async function fill(s: MessageStore, from: number, count: number, flags = 0): Promise<void> {
  for (let n = from; n < from + count; n++) {
    await s.append(message('r', n % 2, n, { body: Buffer.alloc(20_000, n & 0xff), flags }));
  }
}

const segmentFiles = async (dataDir: string) => (await readdir(join(dataDir, 'commitlog'))).length;

describe('retention', () => {
  it('deletes expired segments; reads below the new minimum answer offset-out-of-range and the index follows', async () => {
    const clock = movableClock();
    store = await openStore(testConfig(dir.path, { retention: { retentionMs: 72 * HOUR, maxDiskUsedRatio: 1 } }), {
      clock,
    });
    await fill(store, 0, 200);
    await store.checkpoint();
    const before = await segmentFiles(dir.path);
    expect(before).toBeGreaterThan(3);
    expect((await store.enforceRetention()).deletedSegments).toBe(0);
    clock.offsetMs = 73 * HOUR;
    const { deletedSegments } = await store.enforceRetention();
    expect(deletedSegments).toBe(before - 1); // everything but the active segment
    const min = store.queueOffsets('r', 0).min;
    expect(min).toBeGreaterThan(0n);
    expect(await store.read('r', 0, 0n, { maxCount: 10, maxBytes: 1 << 20 })).toEqual({
      kind: 'offset-out-of-range',
      minOffset: min,
      maxOffset: 100n,
    });
    const fromMin = await store.read('r', 0, min, { maxCount: 1, maxBytes: 1 << 20 });
    expect(fromMin.kind === 'found' && fromMin.messages[0]?.queueOffset).toBe(min);
    expect(await store.lookupByMessageId('r', 'id-r-0-0')).toEqual([]);
    expect(await store.lookupByMessageId('r', 'id-r-1-199')).toHaveLength(1);
    // The new minimum survives a restart.
    await store.close();
    store = await openStore(testConfig(dir.path), { clock });
    expect(store.queueOffsets('r', 0).min).toBe(min);
    expect((await readdir(join(dir.path, 'consumequeue', 'r', '0'))).length).toBeGreaterThan(0);
  });

  it('deletes oldest segments first when disk use passes the threshold, whatever their age', async () => {
    let used = 0.5;
    store = await openStore(testConfig(dir.path, { retention: { retentionMs: 72 * HOUR, maxDiskUsedRatio: 0.8 } }), {
      diskUsage: async () => ({ totalBytes: 10 << 20, usedBytes: used * (10 << 20) }),
    });
    await fill(store, 0, 200);
    await store.checkpoint();
    expect((await store.enforceRetention()).deletedSegments).toBe(0);
    used = 0.95; // 1.5 MiB over: two 1 MiB segments must go
    expect((await store.enforceRetention()).deletedSegments).toBe(2);
    expect(store.minOffset).toBeGreaterThan(0n);
  });

  it('lets the owner of live state rewrite it forward before its segment is deleted', async () => {
    const clock = movableClock();
    store = await openStore(testConfig(dir.path), { clock });
    const LIVE = 0x100;
    await fill(store, 0, 10, LIVE); // e.g. pending timers
    await fill(store, 10, 190);
    await store.checkpoint();
    const s = store;
    const rewritten: string[] = [];
    s.onSegmentExpiring(async ({ start, end }) => {
      for (let offset = start; offset < end; ) {
        const m = await s.readAt(offset);
        if (!m) break;
        if (m.flags & LIVE) {
          await s.append({ ...m, queueId: 0, messageId: m.messageId });
          rewritten.push(m.messageId);
        }
        offset += BigInt(m.size);
      }
    });
    clock.offsetMs = 73 * HOUR;
    expect((await s.enforceRetention()).deletedSegments).toBeGreaterThan(0);
    expect(rewritten).toHaveLength(10);
    for (const id of rewritten) {
      const found = await s.lookupByMessageId('r', id);
      expect(found).toHaveLength(1);
      expect(found[0]!.physicalOffset).toBeGreaterThanOrEqual(s.minOffset);
    }
  });
});
