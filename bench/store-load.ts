import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { systemClock } from '../dataplane/src/lib/clock.js';
import type { FlushMode } from '../dataplane/src/storage/commit-log.js';
import { MessageStore } from '../dataplane/src/storage/message-store.js';
import type { MessageInput } from '../dataplane/src/storage/record-codec.js';
import { storeConfig } from '../dataplane/src/storage/store-config.js';
import { Samples } from './stats.js';

export const BODY_BYTES = 1024;
const TOPIC = 'BenchTopic';
const QUEUE_COUNT = 16;

/** Production-like: default settings except 256 MiB segments. */
export function openBenchStore(dataDir: string, flush: FlushMode): Promise<MessageStore> {
  return MessageStore.open(storeConfig(dataDir, { flush, segmentBytes: 256 << 20 }), {
    clock: systemClock,
    log: pino({ level: 'silent' }),
  });
}

/** Distinct messages with a 1 KiB body, one tag, one key and two small properties, round-robin over 16 queues. */
export class MessageSource {
  private seq = 0;
  private readonly body = randomBytes(BODY_BYTES);

  next(): MessageInput {
    const seq = this.seq++;
    return {
      topic: TOPIC,
      queueId: seq % QUEUE_COUNT,
      messageId: seq.toString(16).padStart(32, '0'),
      tag: 'TagA',
      keys: [`order-${seq}`],
      properties: { producer: 'bench', seq: String(seq) },
      body: this.body,
      bornTimestamp: Date.now(),
      flags: 0,
    };
  }
}

export interface LoadWindow {
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface TimedLoad {
  /** Appends started inside the measured window. */
  readonly records: number;
  /** Commit-log bytes of those appends (record headers and metadata included). */
  readonly logBytes: number;
  readonly seconds: number;
  /** ms from calling append to its promise resolving. */
  readonly latencies: Samples;
  /** Process CPU time (user + system) per acknowledged append over the whole run, warm-up included. */
  readonly cpuUsPerRecord: number;
}

/** `writers` closed loops of `await store.append(...)`; only appends started after the warm-up count. */
export async function timedLoad(store: MessageStore, writers: number, window: LoadWindow): Promise<TimedLoad> {
  const source = new MessageSource();
  const latencies = new Samples();
  let logBytes = 0;
  let acked = 0;
  const cpuBefore = process.cpuUsage();
  const from = performance.now() + window.warmupMs;
  const to = from + window.durationMs;
  const writer = async () => {
    for (;;) {
      const msg = source.next();
      const start = performance.now();
      if (start >= to) return;
      const { size } = await store.append(msg);
      acked++;
      if (start >= from) {
        latencies.push(performance.now() - start);
        logBytes += size;
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUsPerRecord = (cpu.user + cpu.system) / acked;
  return { records: latencies.count, logBytes, seconds: window.durationMs / 1000, latencies, cpuUsPerRecord };
}

/** `writers` closed loops that together append exactly `records` messages; `progress.appended` counts acks. */
export async function countedLoad(
  store: MessageStore,
  writers: number,
  records: number,
  progress: { appended: number },
): Promise<void> {
  const source = new MessageSource();
  let issued = 0;
  const writer = async () => {
    while (issued < records) {
      issued++;
      await store.append(source.next());
      progress.appended++;
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
}
