import { z } from 'zod';
import { MAX_QUEUES, TOPIC_MESSAGE_TYPES } from '../messaging/topics.js';

/**
 * Request shapes of the admin API: routes parse with them and openapi.ts derives its request schemas from them, so
 * the document cannot drift from what is enforced. Unknown fields are rejected.
 */

/** `MIXED` is what auto-created topics get; accepted so their queues can be raised without changing their type. */
export const TopicSpec = z.strictObject({
  messageType: z.enum(TOPIC_MESSAGE_TYPES),
  queues: z.int().min(1).max(MAX_QUEUES),
});
export type TopicSpec = z.infer<typeof TopicSpec>;

export const MessageByIdQuery = z.strictObject({ topic: z.string() });
export const MessagesByKeyQuery = z.strictObject({ topic: z.string(), key: z.string().min(1) });
