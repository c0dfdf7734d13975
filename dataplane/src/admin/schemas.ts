import { z } from 'zod';
import {
  backoffMsSchema,
  backoffMultiplierSchema,
  DEFAULT_GROUP_CONFIG,
  DEFAULT_RETRY_POLICY,
  maxDeliveryAttemptsSchema,
  maxNotBelowInitial,
} from '../messaging/groups.js';
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

/** Retry backoff of a consumer group: exponential, in whole seconds (clients read seconds only). */
export const RetryPolicySpec = z
  .strictObject({
    type: z.literal('exponential').default('exponential'),
    initialMs: backoffMsSchema.default(DEFAULT_RETRY_POLICY.initialMs),
    maxMs: backoffMsSchema.default(DEFAULT_RETRY_POLICY.maxMs),
    multiplier: backoffMultiplierSchema.default(DEFAULT_RETRY_POLICY.multiplier),
  })
  .refine(maxNotBelowInitial.check, maxNotBelowInitial.params);

/**
 * A consumer group as PUT replaces it: omitted fields take the defaults (RocketMQ's: concurrent, 17 deliveries, i.e.
 * 16 retries, backoff 1 s doubling up to 10 s). `maxDeliveryAttempts` counts the first delivery too.
 */
export const GroupSpec = z.strictObject({
  fifo: z.boolean().default(DEFAULT_GROUP_CONFIG.fifo),
  maxDeliveryAttempts: maxDeliveryAttemptsSchema.default(DEFAULT_GROUP_CONFIG.maxDeliveryAttempts),
  retryPolicy: RetryPolicySpec.default({ ...DEFAULT_RETRY_POLICY }),
});
export type GroupSpec = z.infer<typeof GroupSpec>;

export const MessageByIdQuery = z.strictObject({ topic: z.string() });
export const MessagesByKeyQuery = z.strictObject({ topic: z.string(), key: z.string().min(1) });

/** Where a group restarts in a topic: its first or next message, or the first message stored at or after a time. */
export const OffsetResetSpec = z.strictObject({
  topic: z.string().min(1),
  to: z.union([z.enum(['earliest', 'latest']), z.iso.datetime({ offset: true })]),
});

/** A stored message for a client to verify (consume directly), by topic and message id. */
export const VerifyMessageSpec = z.strictObject({ topic: z.string().min(1), messageId: z.string().min(1) });

/** Optionally one topic's unresolved transactions only. */
export const TransactionsQuery = z.strictObject({ topic: z.string().min(1).optional() });
export const TimersQuery = z.strictObject({ topic: z.string().min(1).optional() });
