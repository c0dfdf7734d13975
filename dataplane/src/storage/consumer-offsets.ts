import { join } from 'node:path';
import { z } from 'zod';
import { JsonDocument } from './json-document.js';

const OffsetsFile = z.object({
  version: z.literal(1),
  /** group → topic → queue id → next offset to consume (decimal string: offsets are u64). */
  offsets: z.record(z.string(), z.record(z.string(), z.record(z.string().regex(/^\d+$/), z.string().regex(/^\d+$/)))),
});
type OffsetsFile = z.infer<typeof OffsetsFile>;

/**
 * Committed consumer offsets per (group, topic, queue). Commits land in memory; `flush()` (called on an interval and
 * at shutdown) persists them atomically, so a crash replays at most one interval of deliveries (at-least-once).
 */
export class ConsumerOffsets {
  private readonly offsets = new Map<string, bigint>();
  private changed = false;

  private constructor(private readonly doc: JsonDocument<OffsetsFile>) {
    for (const [group, topics] of Object.entries(doc.value.offsets)) {
      for (const [topic, queues] of Object.entries(topics)) {
        for (const [queueId, offset] of Object.entries(queues)) {
          this.offsets.set(key(group, topic, Number(queueId)), BigInt(offset));
        }
      }
    }
  }

  static async open(dataDir: string): Promise<ConsumerOffsets> {
    return new ConsumerOffsets(
      await JsonDocument.open(join(dataDir, 'consumer-offsets.json'), OffsetsFile, { version: 1, offsets: {} }),
    );
  }

  get(group: string, topic: string, queueId: number): bigint | undefined {
    return this.offsets.get(key(group, topic, queueId));
  }

  commit(group: string, topic: string, queueId: number, offset: bigint): void {
    this.offsets.set(key(group, topic, queueId), offset);
    this.changed = true;
  }

  async flush(): Promise<void> {
    if (!this.changed) return;
    this.changed = false;
    const file: OffsetsFile = { version: 1, offsets: {} };
    for (const [k, offset] of this.offsets) {
      const [group, topic, queueId] = k.split('\u0000') as [string, string, string];
      const topics = file.offsets[group] ?? {};
      const queues = topics[topic] ?? {};
      queues[queueId] = String(offset);
      topics[topic] = queues;
      file.offsets[group] = topics;
    }
    await this.doc.set(file);
  }
}

const key = (group: string, topic: string, queueId: number) => `${group}\u0000${topic}\u0000${queueId}`;
