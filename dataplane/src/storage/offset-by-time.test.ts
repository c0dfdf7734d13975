import { tempDir } from '@rocketry/testkit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MessageStore, type ReadLimits, type ReadResult } from './message-store.js';
import { offsetByTime } from './offset-by-time.js';
import type { MessageInput, StoredMessage } from './record-codec.js';
import { storeConfig } from './store-config.js';

const log = pino({ level: 'silent' });

const input = (topic: string, queueId: number, n: number): MessageInput => ({
  topic,
  queueId,
  messageId: `id-${n}`,
  tag: '',
  keys: [],
  properties: {},
  body: Buffer.from(`body ${n}`),
  bornTimestamp: 1,
  flags: 1,
});

/** The definition, by a linear scan: one past the last message stored before t, else the queue's start. */
function expected(timestamps: readonly (number | undefined)[], min: number, t: number): bigint {
  let answer = min;
  for (let i = min; i < timestamps.length; i++) {
    const ts = timestamps[i];
    if (ts !== undefined && ts < t) answer = i + 1;
  }
  return BigInt(answer);
}

/** A queue held in memory that answers `read` the way MessageStore does; `undefined` entries are holes (size 0). */
class MemoryQueue {
  constructor(
    readonly timestamps: readonly (number | undefined)[],
    public min = 0,
  ) {}

  queueOffsets() {
    return { min: BigInt(this.min), max: BigInt(this.timestamps.length) };
  }

  async read(_topic: string, _queueId: number, offset: bigint, limits: ReadLimits): Promise<ReadResult> {
    const { min, max } = this.queueOffsets();
    if (offset < min || offset > max) return { kind: 'offset-out-of-range', minOffset: min, maxOffset: max };
    if (offset === max) return { kind: 'no-new-message', nextOffset: offset };
    const messages: StoredMessage[] = [];
    let at = Number(offset);
    let bytes = 0;
    while (at < this.timestamps.length && at - Number(offset) < limits.maxCount) {
      const ts = this.timestamps[at];
      const size = ts === undefined ? 0 : 100;
      if (at > Number(offset) && bytes + size > limits.maxBytes) break;
      bytes += size;
      if (ts !== undefined) messages.push({ queueOffset: BigInt(at), storeTimestamp: ts } as StoredMessage);
      at++;
    }
    return { kind: 'found', messages, nextOffset: BigInt(at) };
  }
}

describe('offsetByTime', () => {
  it('finds the first offset stored at or after a time, the first of equal timestamps, and the end past the last', async () => {
    const dir = await tempDir();
    let now = 1_000_000;
    const clock = { now: () => now };
    const config = storeConfig(dir.path, { segmentBytes: 8 << 20, consumeQueueEntriesPerFile: 64 });
    let store = await MessageStore.open(config, { clock, log });
    try {
      const timestamps: number[] = [];
      for (let n = 0; n < 300; n++) {
        now = 1_000_000 + Math.floor(n / 3) * 10; // three messages per millisecond step, 10 ms apart
        timestamps.push(now);
        await store.append(input('t', 2, n));
      }
      await store.append(input('other', 0, 0)); // another queue does not disturb this one
      const check = async () => {
        for (const t of [
          0, 999_999, 1_000_000, 1_000_001, 1_000_010, 1_000_500, 1_000_505, 1_000_990, 1_000_991, 2e9,
        ]) {
          expect(await offsetByTime(store, 't', 2, t), `t=${t}`).toBe(expected(timestamps, 0, t));
        }
      };
      await check();
      expect(await offsetByTime(store, 't', 2, 1_000_010)).toBe(3n);
      expect(await offsetByTime(store, 't', 2, 1_000_991)).toBe(300n);
      await store.close();
      store = await MessageStore.open(config, { clock, log });
      await check();
    } finally {
      await store.close();
      await dir.remove();
    }
  });

  it('answers 0 for a queue never written', async () => {
    const dir = await tempDir();
    const store = await MessageStore.open(storeConfig(dir.path, { segmentBytes: 8 << 20 }), {
      clock: { now: () => 5 },
      log,
    });
    try {
      expect(await offsetByTime(store, 'nothing-here', 0, 0)).toBe(0n);
      expect(await offsetByTime(store, 'nothing-here', 0, 1e12)).toBe(0n);
    } finally {
      await store.close();
      await dir.remove();
    }
  });

  it('steps over holes left by repair', async () => {
    const timestamps = [
      10,
      undefined,
      undefined,
      20,
      20,
      undefined,
      30,
      undefined,
      undefined,
      undefined,
      40,
      undefined,
    ];
    const queue = new MemoryQueue(timestamps);
    for (const t of [0, 10, 11, 20, 21, 30, 31, 40, 41]) {
      expect(await offsetByTime(queue, 'q', 0, t), `t=${t}`).toBe(expected(timestamps, 0, t));
    }
    // Holes just before the first newer message are part of the answer's range: it starts right after the older one.
    expect(await offsetByTime(queue, 'q', 0, 15)).toBe(1n);
    expect(await offsetByTime(new MemoryQueue([undefined, undefined, undefined]), 'q', 0, 5)).toBe(0n);
  });

  it('starts at the oldest offset retention kept', async () => {
    const timestamps = Array.from({ length: 50 }, (_, i) => 100 + i);
    const queue = new MemoryQueue(timestamps, 20);
    expect(await offsetByTime(queue, 'q', 0, 0)).toBe(20n);
    expect(await offsetByTime(queue, 'q', 0, 130)).toBe(30n);
    expect(await offsetByTime(queue, 'q', 0, 1000)).toBe(50n);
  });

  it('agrees with a linear scan on random queues', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 200; round++) {
      const timestamps: (number | undefined)[] = [];
      let ts = Math.floor(random() * 100);
      for (let i = Math.floor(random() * 40); i > 0; i--) {
        ts += Math.floor(random() * 3);
        timestamps.push(random() < 0.15 ? undefined : ts);
      }
      const min = Math.floor(random() * Math.min(5, timestamps.length + 1));
      const queue = new MemoryQueue(timestamps, min);
      const t = Math.floor(random() * (ts + 5));
      expect(await offsetByTime(queue, 'q', 0, t), JSON.stringify({ timestamps, min, t })).toBe(
        expected(timestamps, min, t),
      );
    }
  });
});
