import { countTenantObjects, findPlan, lockTenant } from '../db/repositories/tenants.repository.js';
import type { TenantRow } from '../db/tables.js';
import type { Tx } from '../db/transaction.js';
import { assertCountAvailable, effectiveQuotas, type Quotas } from '../domain/quotas.js';
import { notFound } from '../errors.js';

/**
 * The start of every create or update that quotas limit: locks the tenant row (so concurrent creates of one tenant
 * run one after another from here and each counts what the previous committed), then reads its quotas.
 */
export async function lockTenantQuotas(trx: Tx, tenantId: string): Promise<{ tenant: TenantRow; quotas: Quotas }> {
  const tenant = await lockTenant(trx, tenantId);
  if (!tenant) throw notFound('tenant', tenantId);
  const plan = await findPlan(trx, tenant.plan_id);
  return { tenant, quotas: effectiveQuotas(plan?.quotas ?? {}, tenant.quota_overrides) };
}

/** Under the tenant lock: one more of `kind` must fit its count quota. */
export async function assertRoomFor(
  trx: Tx,
  tenantId: string,
  quotas: Quotas,
  kind: 'instances' | 'topics' | 'groups',
): Promise<void> {
  const counts = await countTenantObjects(trx, tenantId);
  const code = kind === 'instances' ? 'maxInstances' : kind === 'topics' ? 'maxTopics' : 'maxGroups';
  assertCountAvailable(code, quotas[code], counts[kind]);
}
