import type { FlushMode } from './commit-log.js';
import { defaultMessageLimits, type MessageLimits } from './message-limits.js';
import type { RetentionPolicy } from './retention.js';

export interface StoreConfig {
  readonly dataDir: string;
  readonly segmentBytes: number;
  readonly flush: FlushMode;
  /** `async` mode: fdatasync interval, the bound on what a power failure can lose. */
  readonly flushIntervalMs: number;
  readonly maxPendingBytes: number;
  readonly consumeQueueEntriesPerFile: number;
  readonly index: { readonly slotCount: number; readonly entryCapacity: number };
  readonly checkpointIntervalMs: number;
  readonly retention: RetentionPolicy;
  readonly retentionCheckIntervalMs: number;
  readonly limits: MessageLimits;
  /** Skip corrupt stretches of sealed segments on open instead of refusing to start. */
  readonly repair: boolean;
}

export const MAX_RETENTION_MS = 30 * 24 * 3600_000;

export const defaultStoreConfig: Omit<StoreConfig, 'dataDir'> = {
  segmentBytes: 1 << 30,
  flush: 'async',
  flushIntervalMs: 200,
  maxPendingBytes: 32 << 20,
  consumeQueueEntriesPerFile: 300_000,
  index: { slotCount: 1 << 20, entryCapacity: 1 << 20 },
  checkpointIntervalMs: 1000,
  retention: { retentionMs: 72 * 3600_000, maxDiskUsedRatio: 0.9 },
  retentionCheckIntervalMs: 60_000,
  limits: defaultMessageLimits,
  repair: false,
};

/** Fills defaults and rejects settings that cannot work (so a bad config fails at start, not mid-write). */
export function storeConfig(dataDir: string, overrides: Partial<Omit<StoreConfig, 'dataDir'>> = {}): StoreConfig {
  const config: StoreConfig = { ...defaultStoreConfig, ...overrides, dataDir };
  const maxRecord = config.limits.maxBodyBytes + config.limits.maxPropertiesBytes + 64 * 1024;
  if (!Number.isInteger(config.segmentBytes) || config.segmentBytes < maxRecord) {
    throw new RangeError(`segmentBytes must be an integer of at least ${maxRecord} (the largest record)`);
  }
  if (config.retention.retentionMs <= 0 || config.retention.retentionMs > MAX_RETENTION_MS) {
    throw new RangeError('retention must be positive and at most 30 days');
  }
  if (!(config.retention.maxDiskUsedRatio > 0 && config.retention.maxDiskUsedRatio <= 1)) {
    throw new RangeError('maxDiskUsedRatio must be in (0, 1]');
  }
  if (config.flush !== 'async' && config.flush !== 'sync') throw new RangeError('flush must be async or sync');
  for (const [name, value] of Object.entries({
    flushIntervalMs: config.flushIntervalMs,
    maxPendingBytes: config.maxPendingBytes,
    consumeQueueEntriesPerFile: config.consumeQueueEntriesPerFile,
    checkpointIntervalMs: config.checkpointIntervalMs,
    retentionCheckIntervalMs: config.retentionCheckIntervalMs,
  })) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  }
  return config;
}
