import type { Logger } from 'pino';
import type { MessageStore } from '../../storage/message-store.js';
import { SYSTEM_PROPERTY } from '../system-properties.js';
import type { TopicConfig } from '../topics.js';
import type { PopStates } from './pop-states.js';
import { readOne } from './queue-reader.js';
import { retryTopicOf } from './retry-topics.js';

export interface RescueDeps {
  readonly states: PopStates;
  readonly store: Pick<MessageStore, 'read' | 'queueOffsets' | 'append'>;
  readonly topics: {
    get(name: string): TopicConfig | undefined;
    put(name: string, config: TopicConfig): Promise<TopicConfig>;
  };
  /** Wakes the long polls of a topic. */
  readonly notify: (topic: string) => void;
  readonly maxMessageBytes: number;
  readonly log: Logger;
}

/**
 * Retention is about to delete `range` of the commit log: every outstanding (delivered, unacked) message stored
 * there is copied to its group's retry topic and finished, so it is delivered again from the copy rather than
 * lost (DESIGN.md §3). The copy starts a new count of delivery attempts; a holder of the old handle gets
 * INVALID_RECEIPT_HANDLE.
 */
export async function rescueExpiring(deps: RescueDeps, range: { start: bigint; end: bigint }): Promise<void> {
  const { states, store, topics } = deps;
  let rescued = 0;
  for (const s of states.list()) {
    for (const [queueId, state] of s.queues) {
      for (const offset of [...state.unacked.keys()]) {
        const message = await readOne(store, s.topic, queueId, offset, deps.maxMessageBytes);
        if (!message || message.physicalOffset >= range.end || !state.unacked.has(offset)) continue;
        const origin = message.properties[SYSTEM_PROPERTY.retryOf] ?? s.topic;
        const retryTopic = retryTopicOf(s.group, origin);
        if (!topics.get(retryTopic)) await topics.put(retryTopic, { messageType: 'MIXED', queues: 1 });
        const retry = states.getOrCreate(s.group, retryTopic);
        if (retry.created) states.journalReset(retry.subscription, 0, Number(store.queueOffsets(retryTopic, 0).max));
        await store.append({
          topic: retryTopic,
          queueId: 0,
          messageId: message.messageId,
          tag: message.tag,
          keys: message.keys,
          properties: { ...message.properties, [SYSTEM_PROPERTY.retryOf]: origin },
          body: message.body,
          bornTimestamp: message.bornTimestamp,
          flags: message.flags,
        });
        states.journalAck(s, queueId, offset);
        deps.notify(origin);
        rescued++;
      }
    }
  }
  if (rescued === 0) return;
  await states.durable();
  deps.log.info({ rescued, before: String(range.end) }, 'unacked messages copied to retry topics ahead of retention');
}
