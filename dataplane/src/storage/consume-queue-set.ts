import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConsumeQueue } from './consume-queue.js';

/** Every consume queue of the store, by topic and queue id; those on disk are loaded at open. */
export class ConsumeQueueSet {
  private constructor(
    private readonly dir: string,
    private readonly entriesPerFile: number,
    private readonly byTopic: Map<string, ConsumeQueue[]>,
  ) {}

  static async open(dir: string, entriesPerFile: number): Promise<ConsumeQueueSet> {
    await mkdir(dir, { recursive: true });
    const byTopic = new Map<string, ConsumeQueue[]>();
    for (const topic of await readdir(dir)) {
      const list: ConsumeQueue[] = [];
      for (const id of await readdir(join(dir, topic))) {
        if (/^\d+$/.test(id)) list[Number(id)] = await ConsumeQueue.open(join(dir, topic, id), entriesPerFile);
      }
      byTopic.set(topic, list);
    }
    return new ConsumeQueueSet(dir, entriesPerFile, byTopic);
  }

  get(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.byTopic.get(topic)?.[queueId];
  }

  /** The queue, created empty (no I/O: synchronous, so an append keeps its place in line) when it is new. */
  getOrCreate(topic: string, queueId: number): ConsumeQueue {
    let list = this.byTopic.get(topic);
    if (!list) {
      list = [];
      this.byTopic.set(topic, list);
    }
    list[queueId] ??= ConsumeQueue.empty(join(this.dir, topic, String(queueId)), this.entriesPerFile);
    return list[queueId];
  }

  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  *[Symbol.iterator](): Iterator<ConsumeQueue> {
    for (const list of this.byTopic.values()) for (const queue of list) if (queue) yield queue;
  }

  async closeAll(): Promise<void> {
    for (const queue of this) await queue.close();
  }
}
