import { type TempDir, tempDir } from '@rocketry/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Code, DataplaneError } from '../src/lib/errors.js';
import { tagHashOf } from '../src/storage/dispatcher.js';
import type { MessageStore } from '../src/storage/message-store.js';
import { message, openStore, testConfig } from './support/store.js';

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

describe('MessageStore', () => {
  it('reads back appended messages by queue offset, id and key, in order, across segments and reopen', async () => {
    store = await openStore(testConfig(dir.path));
    const body = Buffer.alloc(10_000, 7);
    const receipts = await Promise.all(
      Array.from({ length: 600 }, (_, n) =>
        store!.append(message('orders', n % 3, n, { body: Buffer.concat([body, Buffer.from(String(n))]) })),
      ),
    );
    expect(receipts.map((r) => r.queueOffset).filter((_, i) => i % 3 === 0)).toEqual(
      Array.from({ length: 200 }, (_, i) => BigInt(i)),
    );
    await store.close();
    store = await openStore(testConfig(dir.path));
    const read = await store.read('orders', 1, 0n, { maxCount: 1000, maxBytes: 64 << 20 });
    expect(read.kind).toBe('found');
    if (read.kind !== 'found') return;
    expect(read.messages.map((m) => Number(m.properties.n))).toEqual(Array.from({ length: 200 }, (_, i) => i * 3 + 1));
    expect(read.nextOffset).toBe(200n);
    const [byId] = await store.lookupByMessageId('orders', 'id-orders-2-5');
    expect(byId?.body.equals(Buffer.concat([body, Buffer.from('5')]))).toBe(true);
    const byKey = await store.lookupByKey('orders', 'key-7');
    expect(byKey.map((m) => m.messageId)).toEqual(['id-orders-1-7']);
  });

  it('answers no-new-message at the end and offset-out-of-range past it', async () => {
    store = await openStore(testConfig(dir.path));
    await store.append(message('t', 0, 0));
    expect(await store.read('t', 0, 1n, { maxCount: 10, maxBytes: 1 << 20 })).toEqual({
      kind: 'no-new-message',
      nextOffset: 1n,
    });
    expect(await store.read('t', 0, 5n, { maxCount: 10, maxBytes: 1 << 20 })).toEqual({
      kind: 'offset-out-of-range',
      minOffset: 0n,
      maxOffset: 1n,
    });
  });

  it('rejects over-long topics, oversized bodies and invalid queue ids with typed errors', async () => {
    store = await openStore(testConfig(dir.path));
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof DataplaneError ? e.code : e),
      );
    expect(await code(store.append(message('x'.repeat(128), 0, 0)))).toBe(Code.ILLEGAL_TOPIC);
    expect(await code(store.append(message('a/b', 0, 0)))).toBe(Code.ILLEGAL_TOPIC);
    expect(await code(store.append(message('t', 0, 0, { body: Buffer.alloc(256 * 1024 + 1) })))).toBe(
      Code.MESSAGE_BODY_TOO_LARGE,
    );
    expect(await code(store.append(message('t', -1, 0)))).toBe(Code.BAD_REQUEST);
    expect(await code(store.append(message('t', 1.5, 0)))).toBe(Code.BAD_REQUEST);
    expect(await code(store.append(message('t', 1024, 0)))).toBe(Code.BAD_REQUEST);
    expect(await code(store.read('t', 99999, 0n, { maxCount: 1, maxBytes: 1 }))).toBe(Code.BAD_REQUEST);
    expect(await code(store.append(message('t', 0, 0)))).toBe('ok');
  });
});

describe('MessageStore reads with tag hashes', () => {
  it('steps over entries of other tags unread, whichever entry a run starts with', async () => {
    store = await openStore(testConfig(dir.path));
    await store.appendAll([
      message('tags', 0, 0, { tag: 'B', body: Buffer.alloc(3000, 1) }),
      message('tags', 0, 1, { tag: 'A', body: Buffer.from('a') }),
      message('tags', 0, 2, { tag: 'B' }),
      message('tags', 0, 3, { tag: 'A', body: Buffer.from('a2') }),
    ]);
    const read = await store.read('tags', 0, 0n, {
      maxCount: 10,
      maxBytes: 1 << 20,
      tagHashes: new Set([tagHashOf('A')]),
    });
    expect(read.kind === 'found' && read.messages.map((m) => [Number(m.queueOffset), m.body.toString()])).toEqual([
      [1, 'a'],
      [3, 'a2'],
    ]);
    expect(read.kind === 'found' && read.nextOffset).toBe(4n);
  });
});

describe('MessageStore batch append', () => {
  it('stores a batch in order with consecutive queue offsets and one durability wait', async () => {
    store = await openStore(testConfig(dir.path, { flush: 'sync' }));
    const results = await store.appendAll(Array.from({ length: 50 }, (_, n) => message('b', 0, n)));
    expect(results.map((r) => r.queueOffset)).toEqual(Array.from({ length: 50 }, (_, n) => BigInt(n)));
    const read = await store.read('b', 0, 0n, { maxCount: 100, maxBytes: 1 << 20 });
    expect(read.kind === 'found' && read.messages.map((m) => m.messageId)).toEqual(
      Array.from({ length: 50 }, (_, n) => `id-b-0-${n}`),
    );
  });

  it('rejects the whole batch and stores nothing when one message is invalid', async () => {
    store = await openStore(testConfig(dir.path));
    const batch = [message('b', 0, 0), message('b', 0, 1, { tag: 'bad tag' }), message('b', 0, 2)];
    await expect(store.appendAll(batch)).rejects.toMatchObject({ code: Code.ILLEGAL_MESSAGE_TAG });
    expect(store.queueOffsets('b', 0)).toEqual({ min: 0n, max: 0n });
    expect((await store.append(message('b', 0, 3))).queueOffset).toBe(0n);
  });

  it('keeps call order when appends wait for write-queue space', async () => {
    store = await openStore(testConfig(dir.path, { maxPendingBytes: 64 * 1024 }));
    const s = store;
    const big = Buffer.alloc(20_000, 1);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, n) => s.append(message('w', 0, n, { body: big }))),
    );
    expect(results.map((r) => r.queueOffset)).toEqual(Array.from({ length: 60 }, (_, n) => BigInt(n)));
  });
});

describe('MessageStore data directory lock', () => {
  it('refuses a second open of the same data directory while the first is open, and allows it after close', async () => {
    const first = await openStore(testConfig(dir.path));
    await expect(openStore(testConfig(dir.path))).rejects.toThrow(/already open/);
    await first.close();
    const again = await openStore(testConfig(dir.path));
    await again.close();
  });
});
