import { z } from 'zod';
import { Region } from './clusters.js';
import { Description, Id, LabelName, Status, Timestamp } from './common.js';

export const CreateInstance = z.strictObject({
  name: LabelName,
  region: Region,
  description: Description.default(''),
  /** Platform admins only: place on this cluster instead of the region's least loaded shared one. */
  clusterId: Id.optional(),
});
export type CreateInstance = z.infer<typeof CreateInstance>;
export const UpdateInstance = z.strictObject({ description: Description.optional() });
export type UpdateInstance = z.infer<typeof UpdateInstance>;
export const InstanceParams = z.strictObject({ tenantId: Id, instanceId: Id });

export const Instance = z.object({
  id: Id,
  tenantId: Id,
  name: z.string(),
  description: z.string(),
  region: z.string(),
  clusterId: Id,
  namespace: z.string().nullable().describe('the RocketMQ resource namespace clients set; null on a dedicated cluster'),
  status: z.object({ phase: Status.shape.phase }),
  generation: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Instance = z.infer<typeof Instance>;
