import { join } from 'node:path';
import { z } from 'zod';
import { Code, DataplaneError } from '../lib/errors.js';
import { JsonDocument } from '../storage/json-document.js';
import { validateTopicName } from '../storage/message-limits.js';
import type { MessageType } from './message-flags.js';

/** RocketMQ 5's topic message types; `MIXED` (what auto-created topics get) accepts every one of the others. */
export const TOPIC_MESSAGE_TYPES = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'MIXED'] as const;
export type TopicMessageType = (typeof TOPIC_MESSAGE_TYPES)[number];

/** Queue ids run 0..queues-1 and storage accepts ids up to 1023. */
export const MAX_QUEUES = 1024;

const TopicConfig = z.object({
  queues: z.number().int().min(1).max(MAX_QUEUES),
  messageType: z.enum(TOPIC_MESSAGE_TYPES),
});
export type TopicConfig = z.infer<typeof TopicConfig>;

const TopicsFile = z.object({ version: z.literal(1), topics: z.record(z.string(), TopicConfig) });
type TopicsFile = z.infer<typeof TopicsFile>;

export interface TopicsOptions {
  /** Create a topic the first time a client uses it (`rocketry dev`); off by default elsewhere. */
  readonly autoCreate: boolean;
  readonly autoCreateQueues?: number;
}

/** Names clients may not auto-create: RocketMQ's retry and dead-letter topics and Rocketry's system topics. */
const RESERVED_PREFIXES = ['%', '__sys_', 'rmq_sys_'];

/** What each topic type accepts on send (`accept_message_types` in routes). */
export function acceptedMessageTypes(type: TopicMessageType): readonly MessageType[] {
  return type === 'MIXED' ? ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION'] : [type];
}

/** The broker's topics (name → queue count and message type), kept in `<dataDir>/topics.json`. */
export class Topics {
  private readonly creating = new Map<string, Promise<TopicConfig>>();

  private constructor(
    private readonly doc: JsonDocument<TopicsFile>,
    private readonly options: Required<TopicsOptions>,
  ) {}

  static async open(dataDir: string, options: TopicsOptions): Promise<Topics> {
    const doc = await JsonDocument.open(join(dataDir, 'topics.json'), TopicsFile, { version: 1, topics: {} });
    return new Topics(doc, { autoCreateQueues: 8, ...options });
  }

  get(name: string): TopicConfig | undefined {
    return Object.hasOwn(this.doc.value.topics, name) ? this.doc.value.topics[name] : undefined;
  }

  list(): [string, TopicConfig][] {
    return Object.entries(this.doc.value.topics);
  }

  /** The topic a client named, created now when auto-create is on; TOPIC_NOT_FOUND otherwise. */
  async resolve(name: string): Promise<TopicConfig> {
    validateTopicName(name);
    const existing = this.get(name);
    if (existing) return existing;
    if (!this.options.autoCreate || RESERVED_PREFIXES.some((p) => name.startsWith(p))) {
      throw new DataplaneError(Code.TOPIC_NOT_FOUND, `topic ${name} does not exist`);
    }
    let pending = this.creating.get(name);
    if (!pending) {
      pending = this.put(name, { queues: this.options.autoCreateQueues, messageType: 'MIXED' }).finally(() =>
        this.creating.delete(name),
      );
      this.creating.set(name, pending);
    }
    return pending;
  }

  /** Creates or updates a topic; queues may be added, never removed (queue ids and their offsets stay valid). */
  async put(name: string, config: TopicConfig): Promise<TopicConfig> {
    validateTopicName(name);
    const parsed = TopicConfig.safeParse(config);
    if (!parsed.success) {
      throw new DataplaneError(Code.BAD_REQUEST, `invalid topic ${name}: ${parsed.error.issues[0]?.message}`);
    }
    const existing = this.get(name);
    if (existing && parsed.data.queues < existing.queues) {
      throw new DataplaneError(Code.BAD_REQUEST, `topic ${name} has ${existing.queues} queues; they cannot be removed`);
    }
    const current = this.doc.value;
    await this.doc.set({ ...current, topics: { ...current.topics, [name]: parsed.data } });
    return parsed.data;
  }

  /**
   * Removes a topic from the registry; true when it existed. Its stored messages stay until retention removes them,
   * and a topic created again under the name continues their queue offsets.
   */
  async delete(name: string): Promise<boolean> {
    if (!this.get(name)) return false;
    const { [name]: _removed, ...rest } = this.doc.value.topics;
    await this.doc.set({ ...this.doc.value, topics: rest });
    return true;
  }
}
