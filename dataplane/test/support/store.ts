import { pino } from 'pino';
import { type Clock, systemClock } from '../../src/lib/clock.js';
import { MessageStore, type StoreDeps } from '../../src/storage/message-store.js';
import type { MessageInput } from '../../src/storage/record-codec.js';
import { type StoreConfig, storeConfig } from '../../src/storage/store-config.js';

export const silentLog = pino({ level: 'silent' });

/** Small segments and files so tests cross every boundary quickly. */
export function testConfig(dataDir: string, overrides: Partial<Omit<StoreConfig, 'dataDir'>> = {}): StoreConfig {
  return storeConfig(dataDir, {
    segmentBytes: 1 << 20,
    limits: { maxBodyBytes: 256 * 1024, maxPropertiesBytes: 16 * 1024, maxPropertyCount: 128, maxQueueId: 1023 },
    maxPendingBytes: 4 << 20,
    consumeQueueEntriesPerFile: 1000,
    index: { slotCount: 4096, entryCapacity: 20_000 },
    checkpointIntervalMs: 100,
    retentionCheckIntervalMs: 3_600_000,
    ...overrides,
  });
}

export function openStore(
  config: StoreConfig,
  deps: Partial<StoreDeps> & { clock?: Clock } = {},
): Promise<MessageStore> {
  return MessageStore.open(config, { clock: systemClock, log: silentLog, ...deps });
}

export function message(
  topic: string,
  queueId: number,
  n: number,
  overrides: Partial<MessageInput> = {},
): MessageInput {
  return {
    topic,
    queueId,
    messageId: `id-${topic}-${queueId}-${n}`,
    tag: n % 2 === 0 ? 'even' : 'odd',
    keys: [`key-${n}`],
    properties: { n: String(n) },
    body: Buffer.from(`body ${topic} ${queueId} ${n}`),
    bornTimestamp: 1_700_000_000_000 + n,
    flags: 0,
    ...overrides,
  };
}
