import { z } from 'zod';
import { QUOTA_CODES } from '../domain/quotas.js';
import { Description, Id, LabelName, Timestamp } from './common.js';

const limit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Per-tenant overrides of plan quotas; in a PATCH, `null` removes an override (the plan's value applies again). */
const overridable = limit.nullable().optional();
export const QuotaOverrides = z.strictObject(
  Object.fromEntries(QUOTA_CODES.map((code) => [code, overridable])) as Record<
    (typeof QUOTA_CODES)[number],
    typeof overridable
  >,
);
export const PlanId = z.string().regex(/^[a-z0-9-]{1,63}$/);

export const CreateTenant = z.strictObject({
  name: LabelName,
  displayName: Description.optional(),
  plan: PlanId.default('standard'),
  quotaOverrides: QuotaOverrides.default({}),
});
export type CreateTenant = z.infer<typeof CreateTenant>;

export const UpdateTenant = z.strictObject({
  displayName: Description.optional(),
  plan: PlanId.optional(),
  quotaOverrides: QuotaOverrides.optional(),
});
export type UpdateTenant = z.infer<typeof UpdateTenant>;

export const TenantParams = z.strictObject({ tenantId: Id });

export const Tenant = z.object({
  id: Id,
  name: z.string(),
  displayName: z.string(),
  plan: z.string(),
  quotaOverrides: z.record(z.string(), z.number()),
  generation: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Tenant = z.infer<typeof Tenant>;

export const Quota = z.object({
  code: z.enum(QUOTA_CODES),
  description: z.string(),
  planLimit: z.number(),
  appliedLimit: z.number(),
  usage: z.number().nullable().describe('null where the API does not count it (rates, storage, bounds)'),
});
export const QuotaList = z.object({ data: z.array(Quota) });

export const Plan = z.object({ id: z.string(), description: z.string(), quotas: z.record(z.string(), z.number()) });
export const PlanList = z.object({ data: z.array(Plan) });
