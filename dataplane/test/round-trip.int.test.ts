import { tempDir } from '@rocketry/testkit';
import { describe, expect, it } from 'vitest';
import type { MessageStore } from '../src/storage/message-store.js';
import type { MessageInput, StoredMessage } from '../src/storage/record-codec.js';
import { storeConfig } from '../src/storage/store-config.js';
import { RecordingFiles } from './support/recording-files.js';
import { openStore } from './support/store.js';

const LONG = process.env.ROCKETRY_TEST_LONG === '1';
const RECORDS = 1_000_000;
const TOPICS = 8;
const QUEUES = 8;
/** Lookups by id and by key: every record in the long run, a spread sample in `npm test`. */
const LOOKUPS = LONG ? RECORDS : 20_000;

/** Deterministic record n: mostly small bodies, a tail up to 64 KiB; repeated and unique keys; properties. */
function record(n: number): MessageInput {
  const r = (n * 2654435761) % 1000;
  const size = r < 970 ? 16 + (n % 240) : r < 999 ? 256 + ((n * 31) % 8000) : 8192 + ((n * 131) % (56 * 1024));
  const body = Buffer.alloc(size, n & 0xff);
  body.writeUInt32LE(n, 0);
  return {
    topic: `topic-${n % TOPICS}`,
    queueId: Math.floor(n / TOPICS) % QUEUES,
    messageId: `MSG${n.toString(16).padStart(12, '0')}`,
    tag: `tag-${n % 5}`,
    keys: [`order-${n % 50_000}`, `u-${n}`],
    properties: { seq: String(n), region: 'eu-1', __SHARDING: String(n % 3) },
    body,
    bornTimestamp: 1_700_000_000_000 + n,
    flags: n % 3,
  };
}

/** Describes how `stored` differs from record n ('' when byte-identical); plain code, as it runs a million times. */
function difference(stored: StoredMessage | undefined, n: number): string {
  if (!stored) return `record ${n} missing`;
  const want = record(n);
  const same =
    stored.body.equals(want.body) &&
    stored.topic === want.topic &&
    stored.queueId === want.queueId &&
    stored.messageId === want.messageId &&
    stored.tag === want.tag &&
    stored.keys.join('\0') === want.keys.join('\0') &&
    JSON.stringify(stored.properties) === JSON.stringify(want.properties) &&
    stored.bornTimestamp === want.bornTimestamp &&
    stored.flags === want.flags;
  return same ? '' : `record ${n} differs: ${stored.messageId}`;
}

const config = (dataDir: string) =>
  storeConfig(dataDir, { segmentBytes: 64 << 20, consumeQueueEntriesPerFile: 50_000, checkpointIntervalMs: 500 });

async function appendAll(store: MessageStore): Promise<number> {
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < RECORDS) {
      const n = next++;
      const receipt = await store.append(record(n));
      bytes += receipt.size;
    }
  };
  await Promise.all(Array.from({ length: 256 }, worker));
  return bytes;
}

describe('storage round trip at scale', () => {
  it('stores 1,000,000 mixed records and reads them back byte-identical by queue offset, id and key after reopen', async () => {
    const dir = await tempDir('rocketry-1m-');
    try {
      let store = await openStore(config(dir.path));
      const started = performance.now();
      const bytes = await appendAll(store);
      const appendMs = performance.now() - started;
      expect(bytes).toBeLessThan(1 << 30);
      await store.close();

      // Reopen: the checkpoint covers everything, so open reads no record, and lookups touch only what they return.
      const files = new RecordingFiles();
      store = await openStore(config(dir.path), { files });
      expect(store.openReport.redispatchedRecords).toBe(0);
      const readAtOpen = files.bytesRead;
      console.log(
        `1M round trip: ${(bytes / 2 ** 20).toFixed(0)} MiB appended in ${appendMs.toFixed(0)} ms; ` +
          `reopened in ${store.openReport.openMs.toFixed(0)} ms reading ${readAtOpen} commit-log bytes`,
      );
      expect(readAtOpen).toBe(0);
      const probe = 123_457;
      const [byId] = await store.lookupByMessageId(record(probe).topic, record(probe).messageId);
      expect(difference(byId, probe)).toBe('');
      expect(files.bytesRead - readAtOpen).toBeLessThan(64 * 1024);

      // Every record by queue offset, in order.
      let seen = 0;
      const wrong: string[] = [];
      for (let t = 0; t < TOPICS; t++) {
        for (let q = 0; q < QUEUES; q++) {
          let offset = 0n;
          let expectedN = t + q * TOPICS;
          for (;;) {
            const r = await store.read(`topic-${t}`, q, offset, { maxCount: 512, maxBytes: 8 << 20 });
            if (r.kind !== 'found') break;
            for (const m of r.messages) {
              if (m.queueOffset !== offset++) wrong.push(`queue offset ${m.queueOffset}`);
              const diff = difference(m, expectedN);
              if (diff) wrong.push(diff);
              expectedN += TOPICS * QUEUES;
              seen++;
            }
          }
        }
      }
      expect(seen).toBe(RECORDS);
      expect(wrong.slice(0, 5)).toEqual([]);

      // By id and by unique key; repeated keys return every record that carries them.
      const step = Math.floor(RECORDS / LOOKUPS);
      for (let n = 0; n < RECORDS; n += step) {
        const want = record(n);
        const byIdResult = await store.lookupByMessageId(want.topic, want.messageId);
        if (byIdResult.length !== 1) wrong.push(`id lookup of ${n} found ${byIdResult.length}`);
        const diff = difference(byIdResult[0], n);
        if (diff) wrong.push(diff);
        const byKey = await store.lookupByKey(want.topic, `u-${n}`);
        if (byKey.length !== 1 || byKey[0]?.properties.seq !== String(n)) wrong.push(`key lookup of ${n}`);
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      const shared = await store.lookupByKey('topic-1', 'order-1', 64);
      expect(shared.map((m) => Number(m.properties.seq)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: RECORDS / 50_000 }, (_, i) => 1 + i * 50_000),
      );
      await store.close();
    } finally {
      await dir.remove();
    }
  }, 900_000);
});
