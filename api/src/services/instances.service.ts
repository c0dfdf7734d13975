import {
  countChildren,
  findInstance,
  listInstances,
  placementCandidates,
} from '../db/repositories/instances.repository.js';
import type { InstanceRow } from '../db/tables.js';
import { type Db, inTransaction, type Tx } from '../db/transaction.js';
import { newId } from '../domain/ids.js';
import { decodePageToken, type Page, toPage } from '../domain/page-token.js';
import { type PlacementCandidate, placeInstance } from '../domain/placement.js';
import { authorize } from '../domain/roles.js';
import { ApiError, notFound } from '../errors.js';
import type { ListQuery } from '../schemas/common.js';
import type { CreateInstance, Instance, UpdateInstance } from '../schemas/instances.js';
import type { Actor, Created, IdempotencyRequest } from './actor.js';
import { assertGeneration, audit, createInTransaction, iso } from './changes.js';
import { assertRoomFor, lockTenantQuotas } from './quota-guard.js';
import type { TenantService } from './tenants.service.js';

export function toInstance(row: InstanceRow): Instance {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    region: row.region,
    clusterId: row.cluster_id,
    namespace: row.namespace,
    status: { phase: row.phase as Instance['status']['phase'] },
    generation: row.generation,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

const path = (tenantId: string, instanceId?: string) =>
  `/v1/tenants/${tenantId}/instances${instanceId === undefined ? '' : `/${instanceId}`}`;

export class InstanceService {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantService,
  ) {}

  async create(
    actor: Actor,
    tenantId: string,
    input: CreateInstance,
    idempotency?: IdempotencyRequest,
  ): Promise<Created<Instance>> {
    authorize(actor.principal, 'instances:write', tenantId);
    if (input.clusterId !== undefined) authorize(actor.principal, 'instances:place', tenantId);
    return createInTransaction(
      this.db,
      actor,
      idempotency,
      { method: 'POST', path: path(tenantId) },
      async (trx) => {
        const { quotas } = await lockTenantQuotas(trx, tenantId);
        await assertRoomFor(trx, tenantId, quotas, 'instances');
        const id = newId('ins');
        if (input.clusterId !== undefined) {
          // Two instances racing for one dedicated cluster: the second waits here and then sees the first.
          await trx.selectFrom('clusters').select('id').where('id', '=', input.clusterId).forUpdate().execute();
        }
        const candidates = (await placementCandidates(trx)) as PlacementCandidate[];
        const placement = placeInstance(id, input.region, candidates, input.clusterId);
        const row = await trx
          .insertInto('instances')
          .values({
            id,
            tenant_id: tenantId,
            name: input.name,
            description: input.description,
            region: input.region,
            cluster_id: placement.clusterId,
            namespace: placement.namespace,
            phase: 'READY',
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const instance = toInstance(row);
        await audit(trx, actor, {
          tenantId,
          action: 'instance.create',
          resource: path(tenantId, id),
          before: null,
          after: instance,
        });
        return instance;
      },
      () => new ApiError('already-exists', `instance ${input.name} already exists in this tenant`),
    );
  }

  async list(actor: Actor, tenantId: string, query: ListQuery): Promise<Page<Instance>> {
    authorize(actor.principal, 'instances:read', tenantId);
    await this.tenants.require(tenantId);
    const after = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken);
    const rows = await listInstances(this.db, tenantId, after, query.pageSize + 1);
    return toPage(rows, query.pageSize, (r) => r.id, toInstance);
  }

  async get(actor: Actor, tenantId: string, instanceId: string): Promise<Instance> {
    authorize(actor.principal, 'instances:read', tenantId);
    return toInstance(await this.require(this.db, tenantId, instanceId));
  }

  async update(
    actor: Actor,
    tenantId: string,
    instanceId: string,
    patch: UpdateInstance,
    ifMatch: number | '*' | 'invalid' | undefined,
  ): Promise<Instance> {
    authorize(actor.principal, 'instances:write', tenantId);
    return inTransaction(this.db, async (trx) => {
      const before = await this.require(trx, tenantId, instanceId, true);
      assertGeneration(ifMatch, before.generation);
      const row = await trx
        .updateTable('instances')
        .set({
          ...(patch.description !== undefined && { description: patch.description }),
          generation: before.generation + 1,
          updated_at: new Date(),
        })
        .where('id', '=', instanceId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const instance = toInstance(row);
      await audit(trx, actor, {
        tenantId,
        action: 'instance.update',
        resource: path(tenantId, instanceId),
        before: toInstance(before),
        after: instance,
      });
      return instance;
    });
  }

  /** Only an empty instance (no topics, no groups) can go. */
  async delete(actor: Actor, tenantId: string, instanceId: string, ifMatch: number | '*' | 'invalid' | undefined) {
    authorize(actor.principal, 'instances:write', tenantId);
    await inTransaction(this.db, async (trx) => {
      const before = await this.require(trx, tenantId, instanceId, true);
      assertGeneration(ifMatch, before.generation);
      if ((await countChildren(trx, instanceId)) > 0) {
        throw new ApiError('conflict-state', `instance ${instanceId} still has topics or consumer groups`);
      }
      await trx.deleteFrom('instances').where('id', '=', instanceId).execute();
      await audit(trx, actor, {
        tenantId,
        action: 'instance.delete',
        resource: path(tenantId, instanceId),
        before: toInstance(before),
        after: null,
      });
    });
  }

  /** The tenant's instance or 404 (also when the tenant does not exist); `lock` takes its row for the transaction. */
  async require(db: Db | Tx, tenantId: string, instanceId: string, lock = false): Promise<InstanceRow> {
    const row = lock
      ? await (db as Tx)
          .selectFrom('instances')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', '=', instanceId)
          .forUpdate()
          .executeTakeFirst()
      : await findInstance(db, tenantId, instanceId);
    if (!row) throw notFound('instance', instanceId);
    return row;
  }
}
