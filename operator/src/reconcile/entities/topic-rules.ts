import type { TopicSpec as CrTopicSpec } from '@rocketry/crds';
import type { GroupLag, TopicDetail, TopicSpec } from '../../broker-admin/broker-admin.js';
import type { Backlog, Comparison } from './decide.js';

/** The topic the brokers should have for a Topic spec. */
export const desiredTopic = (spec: CrTopicSpec): TopicSpec => ({ messageType: spec.messageType, queues: spec.queues });

/**
 * Equal when type and queues match; more queues wanted → update (the broker adds them); a different message type, or
 * fewer queues than the broker has, cannot be applied (the broker refuses both) → refused, reported as InvalidSpec.
 */
export function compareTopic(name: string, desired: TopicSpec, reported: TopicSpec, group: string): Comparison {
  if (reported.messageType !== desired.messageType) {
    return {
      kind: 'refused',
      message:
        `topic ${name} is ${reported.messageType} on broker group ${group} and spec.messageType is ` +
        `${desired.messageType}: a topic's message type cannot change (delete the topic on the brokers, or use ` +
        'another topicName)',
    };
  }
  if (reported.queues > desired.queues) {
    return {
      kind: 'refused',
      message:
        `topic ${name} has ${reported.queues} queues on broker group ${group} and spec.queues is ${desired.queues}: ` +
        `queues cannot be removed (set spec.queues to at least ${reported.queues})`,
    };
  }
  return reported.queues < desired.queues ? { kind: 'update' } : { kind: 'equal' };
}

/**
 * A topic's backlog on one broker group, for DeleteIfEmpty: per queue, the ready and in-flight messages of every
 * consumer group that consumed from it; a queue no group ever consumed from counts its stored messages
 * (max - min offset) as backlog, so a topic nobody has read yet is not "empty".
 */
export function topicBacklog(topic: string, detail: TopicDetail, lags: readonly GroupLag[]): Backlog {
  const consumed = new Set<number>();
  const parts: string[] = [];
  let messages = 0;
  for (const lag of lags) {
    let ready = 0;
    let inflight = 0;
    for (const q of lag.queues) {
      if (q.topic !== topic) continue;
      consumed.add(q.queueId);
      ready += q.ready;
      inflight += q.inflight;
    }
    if (ready + inflight > 0) {
      parts.push(`consumer group ${lag.group}: ${ready} ready, ${inflight} in flight`);
      messages += ready + inflight;
    }
  }
  let unread = 0;
  for (const q of detail.queueOffsets) {
    if (consumed.has(q.queueId)) continue;
    const stored = Number(BigInt(q.maxOffset) - BigInt(q.minOffset));
    if (stored > 0) unread += stored;
  }
  if (unread > 0) {
    parts.push(`${unread} stored messages in queues no consumer group has read`);
    messages += unread;
  }
  return { kind: 'known', messages, detail: parts.join(', ') };
}
