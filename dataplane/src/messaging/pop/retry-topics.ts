import { createHash } from 'node:crypto';

/**
 * Where a consumer group's unacked messages go when retention is about to delete the segment that holds them
 * (DESIGN.md §3: retention never deletes live state): a copy in the group's retry topic for the message's topic,
 * `%RETRY%<group>_<topic>` as RocketMQ 5 names its pop retry topics (hashed when that exceeds 127 characters).
 * The group consumes its retry topic with the topic; the copy is delivered under the original topic's name.
 */
export function retryTopicOf(group: string, topic: string): string {
  const name = `%RETRY%${group}_${topic}`;
  return name.length <= 127 ? name : `%RETRY%${createHash('sha1').update(`${group}\u0000${topic}`).digest('hex')}`;
}

export const isRetryTopic = (topic: string): boolean => topic.startsWith('%RETRY%');
