import { sql } from 'kysely';
import type { ClusterRow } from '../db/tables.js';
import { type Db, inTransaction } from '../db/transaction.js';
import { newId } from '../domain/ids.js';
import { decodePageToken, type Page, toPage } from '../domain/page-token.js';
import { authorize } from '../domain/roles.js';
import { ApiError, notFound } from '../errors.js';
import type { Cluster, ClusterConnection, CreateCluster, UpdateCluster } from '../schemas/clusters.js';
import type { ListQuery } from '../schemas/common.js';
import type { Actor, Created, IdempotencyRequest } from './actor.js';
import { assertGeneration, audit, createInTransaction, iso } from './changes.js';

export function toCluster(row: ClusterRow): Cluster {
  return {
    id: row.id,
    name: row.name,
    region: row.region,
    sharing: row.sharing as Cluster['sharing'],
    connection: row.connection as ClusterConnection,
    generation: row.generation,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Clusters are platform-internal: only platform admins see or change them; tenants see regions. */
export class ClusterService {
  constructor(private readonly db: Db) {}

  async create(actor: Actor, input: CreateCluster, idempotency?: IdempotencyRequest): Promise<Created<Cluster>> {
    authorize(actor.principal, 'clusters:write');
    return createInTransaction(
      this.db,
      actor,
      idempotency,
      { method: 'POST', path: '/v1/clusters' },
      async (trx) => {
        const row = await trx
          .insertInto('clusters')
          .values({
            id: newId('clu'),
            name: input.name,
            region: input.region,
            sharing: input.sharing,
            mode: input.connection.mode,
            connection: JSON.stringify(input.connection),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const cluster = toCluster(row);
        await audit(trx, actor, {
          tenantId: null,
          action: 'cluster.create',
          resource: `/v1/clusters/${row.id}`,
          before: null,
          after: cluster,
        });
        return cluster;
      },
      () => new ApiError('already-exists', `cluster ${input.name} already exists`),
    );
  }

  async list(actor: Actor, query: ListQuery): Promise<Page<Cluster>> {
    authorize(actor.principal, 'clusters:read');
    const after = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken);
    let q = this.db.selectFrom('clusters').selectAll();
    if (after !== undefined) q = q.where('id', '>', after);
    const rows = await q
      .orderBy('id')
      .limit(query.pageSize + 1)
      .execute();
    return toPage(rows, query.pageSize, (r) => r.id, toCluster);
  }

  async get(actor: Actor, clusterId: string): Promise<Cluster> {
    authorize(actor.principal, 'clusters:read');
    const row = await this.db.selectFrom('clusters').selectAll().where('id', '=', clusterId).executeTakeFirst();
    if (!row) throw notFound('cluster', clusterId);
    return toCluster(row);
  }

  /** Only how to reach the cluster can change; its name, region, sharing and mode are fixed. */
  async update(actor: Actor, clusterId: string, patch: UpdateCluster, ifMatch: number | '*' | 'invalid' | undefined) {
    authorize(actor.principal, 'clusters:write');
    return inTransaction(this.db, async (trx) => {
      const before = await trx
        .selectFrom('clusters')
        .selectAll()
        .where('id', '=', clusterId)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw notFound('cluster', clusterId);
      assertGeneration(ifMatch, before.generation);
      if (patch.connection && patch.connection.mode !== before.mode) {
        throw new ApiError('immutable-field', `a ${before.mode} cluster stays ${before.mode}`, {
          errors: [{ pointer: '/connection/mode', detail: 'immutable' }],
        });
      }
      const row = await trx
        .updateTable('clusters')
        .set({
          ...(patch.connection && { connection: JSON.stringify(patch.connection) }),
          generation: before.generation + 1,
          updated_at: new Date(),
        })
        .where('id', '=', clusterId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const cluster = toCluster(row);
      await audit(trx, actor, {
        tenantId: null,
        action: 'cluster.update',
        resource: `/v1/clusters/${clusterId}`,
        before: toCluster(before),
        after: cluster,
      });
      return cluster;
    });
  }

  async delete(actor: Actor, clusterId: string, ifMatch: number | '*' | 'invalid' | undefined): Promise<void> {
    authorize(actor.principal, 'clusters:write');
    await inTransaction(this.db, async (trx) => {
      const before = await trx
        .selectFrom('clusters')
        .selectAll()
        .where('id', '=', clusterId)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw notFound('cluster', clusterId);
      assertGeneration(ifMatch, before.generation);
      const used = await trx
        .selectFrom('instances')
        .select('id')
        .where('cluster_id', '=', clusterId)
        .limit(1)
        .executeTakeFirst();
      if (used) throw new ApiError('conflict-state', `cluster ${before.name} still hosts instances`);
      await trx.deleteFrom('clusters').where('id', '=', clusterId).execute();
      await audit(trx, actor, {
        tenantId: null,
        action: 'cluster.delete',
        resource: `/v1/clusters/${clusterId}`,
        before: toCluster(before),
        after: null,
      });
    });
  }

  /** Regions with at least one cluster: what tenants choose from. */
  async regions(actor: Actor) {
    authorize(actor.principal, 'regions:read');
    const rows = await this.db
      .selectFrom('clusters')
      .select(['region', sql<number>`count(*)::int`.as('clusters')])
      .groupBy('region')
      .orderBy('region')
      .execute();
    return { data: rows.map((r) => ({ name: r.region, clusters: r.clusters })) };
  }
}
