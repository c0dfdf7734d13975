import { z } from 'zod';
import { Description, GroupName, Id, Status, Timestamp } from './common.js';

/** The broker's bounds (dataplane messaging/groups.ts): whole seconds from 1 s to 2 h, multiplier 1-10. */
const BackoffMs = z
  .number()
  .int()
  .min(1000)
  .max(7_200_000)
  .multipleOf(1000, { error: 'must be whole seconds (a multiple of 1000)' });
export const RetryPolicy = z
  .strictObject({
    initialMs: BackoffMs.default(1000),
    maxMs: BackoffMs.default(10_000),
    multiplier: z.number().min(1).max(10).default(2),
  })
  .refine((p) => p.maxMs >= p.initialMs, { error: 'maxMs must not be below initialMs', path: ['maxMs'] });
export type RetryPolicy = z.infer<typeof RetryPolicy>;
const MaxDeliveryAttempts = z.number().int().min(1).max(1000);

export const CreateGroup = z.strictObject({
  name: GroupName,
  fifo: z.boolean().default(false),
  maxDeliveryAttempts: MaxDeliveryAttempts.default(17).describe('deliveries before dead-lettering, the first included'),
  retryPolicy: RetryPolicy.default({ initialMs: 1000, maxMs: 10_000, multiplier: 2 }),
  description: Description.default(''),
});
export type CreateGroup = z.infer<typeof CreateGroup>;
/** `fifo` is immutable: accepted only unchanged (422 otherwise). */
export const UpdateGroup = z.strictObject({
  fifo: z.boolean().optional(),
  maxDeliveryAttempts: MaxDeliveryAttempts.optional(),
  retryPolicy: RetryPolicy.optional(),
  description: Description.optional(),
});
export type UpdateGroup = z.infer<typeof UpdateGroup>;
export const GroupParams = z.strictObject({ tenantId: Id, instanceId: Id, group: z.string().min(1).max(64) });

export const Group = z.object({
  name: z.string(),
  instanceId: Id,
  fifo: z.boolean(),
  maxDeliveryAttempts: z.number().int(),
  retryPolicy: z.object({ initialMs: z.number().int(), maxMs: z.number().int(), multiplier: z.number() }),
  description: z.string(),
  status: Status,
  generation: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Group = z.infer<typeof Group>;
