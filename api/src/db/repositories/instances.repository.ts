import { sql } from 'kysely';
import type { InstanceRow } from '../tables.js';
import type { Db, Tx } from '../transaction.js';

/** Always by tenant and id: another tenant's instance is simply not found. */
export const findInstance = (db: Db | Tx, tenantId: string, instanceId: string): Promise<InstanceRow | undefined> =>
  db
    .selectFrom('instances')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', instanceId)
    .executeTakeFirst();

export const listInstances = (db: Db, tenantId: string, after: string | undefined, limit: number) => {
  let q = db.selectFrom('instances').selectAll().where('tenant_id', '=', tenantId);
  if (after !== undefined) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
};

/** Every cluster with how many instances it hosts: the placement candidates. */
export const placementCandidates = (trx: Tx) =>
  trx
    .selectFrom('clusters')
    .leftJoin('instances', 'instances.cluster_id', 'clusters.id')
    .select([
      'clusters.id',
      'clusters.name',
      'clusters.region',
      'clusters.sharing',
      sql<number>`count(instances.id)::int`.as('instances'),
    ])
    .groupBy(['clusters.id', 'clusters.name', 'clusters.region', 'clusters.sharing'])
    .execute();

export const countChildren = async (db: Db | Tx, instanceId: string): Promise<number> => {
  const row = await sql<{ n: number }>`
    select (select count(*)::int from topics where instance_id = ${instanceId})
         + (select count(*)::int from consumer_groups where instance_id = ${instanceId}) as n`.execute(db);
  return row.rows[0]?.n ?? 0;
};
