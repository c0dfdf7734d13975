import { z } from 'zod';
import { Description, Id, Status, Timestamp, TopicName } from './common.js';

export const MESSAGE_TYPES = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION'] as const;
const Queues = z.number().int().min(1).max(1024);
const RetentionHours = z.number().int().min(1).max(720);

export const CreateTopic = z.strictObject({
  name: TopicName,
  messageType: z.enum(MESSAGE_TYPES).default('NORMAL'),
  queues: Queues.default(4),
  retentionHours: RetentionHours.default(24),
  description: Description.default(''),
});
export type CreateTopic = z.infer<typeof CreateTopic>;
/** `messageType` is immutable: accepted only unchanged (422 otherwise); queues may only grow. */
export const UpdateTopic = z.strictObject({
  messageType: z.enum(MESSAGE_TYPES).optional(),
  queues: Queues.optional(),
  retentionHours: RetentionHours.optional(),
  description: Description.optional(),
});
export type UpdateTopic = z.infer<typeof UpdateTopic>;
export const TopicParams = z.strictObject({ tenantId: Id, instanceId: Id, topic: z.string().min(1).max(64) });

export const Topic = z.object({
  name: z.string(),
  instanceId: Id,
  messageType: z.enum(MESSAGE_TYPES),
  queues: z.number().int(),
  retentionHours: z.number().int(),
  description: z.string(),
  status: Status,
  generation: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Topic = z.infer<typeof Topic>;
