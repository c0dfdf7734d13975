import { sql } from 'kysely';
import type { TenantRow } from '../tables.js';
import type { Db, Tx } from '../transaction.js';

export const findTenant = (db: Db | Tx, id: string): Promise<TenantRow | undefined> =>
  db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();

/** Locks the tenant row until the transaction ends: creates counted against its quotas serialise on it. */
export const lockTenant = (trx: Tx, id: string): Promise<TenantRow | undefined> =>
  trx.selectFrom('tenants').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const listTenants = (db: Db, after: string | undefined, limit: number): Promise<TenantRow[]> => {
  let q = db.selectFrom('tenants').selectAll();
  if (after !== undefined) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
};

export const findPlan = (db: Db | Tx, id: string) =>
  db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();

export const listPlans = (db: Db) => db.selectFrom('plans').selectAll().orderBy('id').execute();

/** How many instances, topics and groups the tenant has (what count quotas compare with). */
export async function countTenantObjects(
  db: Db | Tx,
  tenantId: string,
): Promise<{ instances: number; topics: number; groups: number }> {
  const row = await sql<{ instances: number; topics: number; groups: number }>`
    select (select count(*)::int from instances where tenant_id = ${tenantId}) as instances,
           (select count(*)::int from topics where tenant_id = ${tenantId}) as topics,
           (select count(*)::int from consumer_groups where tenant_id = ${tenantId}) as groups`.execute(db);
  return row.rows[0] ?? { instances: 0, topics: 0, groups: 0 };
}
