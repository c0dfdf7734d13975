import type { GroupRow } from '../db/tables.js';
import { type Db, inTransaction } from '../db/transaction.js';
import { decodePageToken, type Page, toPage } from '../domain/page-token.js';
import { authorize } from '../domain/roles.js';
import { ApiError, notFound } from '../errors.js';
import type { ListQuery, Status } from '../schemas/common.js';
import type { CreateGroup, Group, UpdateGroup } from '../schemas/groups.js';
import type { Actor, Created, IdempotencyRequest } from './actor.js';
import { assertGeneration, audit, createInTransaction, iso, updateIdempotentResponse } from './changes.js';
import type { InstanceService } from './instances.service.js';
import type { Provisioning } from './provisioning.js';
import { assertRoomFor, lockTenantQuotas } from './quota-guard.js';

export function toGroup(row: GroupRow): Group {
  return {
    name: row.name,
    instanceId: row.instance_id,
    fifo: row.fifo,
    maxDeliveryAttempts: row.max_delivery_attempts,
    retryPolicy: row.retry_policy,
    description: row.description,
    status: {
      phase: row.phase as Status['phase'],
      observedGeneration: row.observed_generation,
      conditions: row.conditions as Status['conditions'],
    },
    generation: row.generation,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

const path = (tenantId: string, instanceId: string, name?: string) =>
  `/v1/tenants/${tenantId}/instances/${instanceId}/consumer-groups${name === undefined ? '' : `/${name}`}`;

/** Consumer groups of an instance; the same flow as topics (commit, then apply, then status). */
export class GroupService {
  constructor(
    private readonly db: Db,
    private readonly instances: InstanceService,
    private readonly provisioning: Provisioning,
  ) {}

  async create(
    actor: Actor,
    tenantId: string,
    instanceId: string,
    input: CreateGroup,
    idempotency?: IdempotencyRequest,
  ): Promise<Created<Group>> {
    authorize(actor.principal, 'groups:write', tenantId);
    const created = await createInTransaction(
      this.db,
      actor,
      idempotency,
      { method: 'POST', path: path(tenantId, instanceId) },
      async (trx) => {
        const { quotas } = await lockTenantQuotas(trx, tenantId);
        await this.instances.require(trx, tenantId, instanceId);
        await assertRoomFor(trx, tenantId, quotas, 'groups');
        const row = await trx
          .insertInto('consumer_groups')
          .values({
            instance_id: instanceId,
            tenant_id: tenantId,
            name: input.name,
            description: input.description,
            fifo: input.fifo,
            max_delivery_attempts: input.maxDeliveryAttempts,
            retry_policy: JSON.stringify(input.retryPolicy),
            phase: 'PROVISIONING',
            conditions: '[]',
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const group = toGroup(row);
        await audit(trx, actor, {
          tenantId,
          action: 'consumer-group.create',
          resource: path(tenantId, instanceId, input.name),
          before: null,
          after: group,
        });
        return group;
      },
      () => new ApiError('already-exists', `consumer group ${input.name} already exists in instance ${instanceId}`),
    );
    if (created.replayed) return created;
    const body = await this.sync(tenantId, instanceId, input.name);
    await updateIdempotentResponse(this.db, actor, idempotency, body);
    return { ...created, body };
  }

  async list(actor: Actor, tenantId: string, instanceId: string, query: ListQuery): Promise<Page<Group>> {
    authorize(actor.principal, 'groups:read', tenantId);
    await this.instances.require(this.db, tenantId, instanceId);
    const after = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken);
    let q = this.db.selectFrom('consumer_groups').selectAll().where('instance_id', '=', instanceId);
    if (after !== undefined) q = q.where('name', '>', after);
    const rows = await q
      .orderBy('name')
      .limit(query.pageSize + 1)
      .execute();
    return toPage(rows, query.pageSize, (r) => r.name, toGroup);
  }

  async get(actor: Actor, tenantId: string, instanceId: string, name: string): Promise<Group> {
    authorize(actor.principal, 'groups:read', tenantId);
    return toGroup(await this.require(tenantId, instanceId, name));
  }

  async update(
    actor: Actor,
    tenantId: string,
    instanceId: string,
    name: string,
    patch: UpdateGroup,
    ifMatch: number | '*' | 'invalid' | undefined,
  ): Promise<Group> {
    authorize(actor.principal, 'groups:write', tenantId);
    await inTransaction(this.db, async (trx) => {
      const before = await trx
        .selectFrom('consumer_groups')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('instance_id', '=', instanceId)
        .where('name', '=', name)
        .forUpdate()
        .executeTakeFirst();
      if (!before) {
        await this.instances.require(trx, tenantId, instanceId);
        throw notFound('consumer group', name);
      }
      assertGeneration(ifMatch, before.generation);
      if (patch.fifo !== undefined && patch.fifo !== before.fifo) {
        throw new ApiError('immutable-field', `whether a group is FIFO cannot change (it is ${before.fifo})`, {
          errors: [{ pointer: '/fifo', detail: 'immutable' }],
        });
      }
      const row = await trx
        .updateTable('consumer_groups')
        .set({
          ...(patch.maxDeliveryAttempts !== undefined && { max_delivery_attempts: patch.maxDeliveryAttempts }),
          ...(patch.retryPolicy !== undefined && { retry_policy: JSON.stringify(patch.retryPolicy) }),
          ...(patch.description !== undefined && { description: patch.description }),
          phase: 'UPDATING',
          generation: before.generation + 1,
          updated_at: new Date(),
        })
        .where('instance_id', '=', instanceId)
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(trx, actor, {
        tenantId,
        action: 'consumer-group.update',
        resource: path(tenantId, instanceId, name),
        before: toGroup(before),
        after: toGroup(row),
      });
    });
    return this.sync(tenantId, instanceId, name);
  }

  async delete(
    actor: Actor,
    tenantId: string,
    instanceId: string,
    name: string,
    ifMatch: number | '*' | 'invalid' | undefined,
  ) {
    authorize(actor.principal, 'groups:write', tenantId);
    const instance = await inTransaction(this.db, async (trx) => {
      const instance = await this.instances.require(trx, tenantId, instanceId);
      const before = await trx
        .selectFrom('consumer_groups')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('name', '=', name)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw notFound('consumer group', name);
      assertGeneration(ifMatch, before.generation);
      await trx.deleteFrom('consumer_groups').where('instance_id', '=', instanceId).where('name', '=', name).execute();
      await audit(trx, actor, {
        tenantId,
        action: 'consumer-group.delete',
        resource: path(tenantId, instanceId, name),
        before: toGroup(before),
        after: null,
      });
      return instance;
    });
    await this.provisioning.deleteGroup(instance, name);
  }

  private async sync(tenantId: string, instanceId: string, name: string): Promise<Group> {
    const instance = await this.instances.require(this.db, tenantId, instanceId);
    const row = await this.require(tenantId, instanceId, name);
    const status = await this.provisioning.applyGroup(instance, toGroup(row));
    if (!status) return toGroup(row);
    const updated = await this.db
      .updateTable('consumer_groups')
      .set({
        phase: status.phase,
        conditions: JSON.stringify(status.conditions),
        observed_generation: status.observedGeneration,
      })
      .where('instance_id', '=', instanceId)
      .where('name', '=', name)
      .where('generation', '=', status.observedGeneration)
      .returningAll()
      .executeTakeFirst();
    return toGroup(updated ?? (await this.require(tenantId, instanceId, name)));
  }

  private async require(tenantId: string, instanceId: string, name: string): Promise<GroupRow> {
    const row = await this.db
      .selectFrom('consumer_groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('instance_id', '=', instanceId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) {
      await this.instances.require(this.db, tenantId, instanceId);
      throw notFound('consumer group', name);
    }
    return row;
  }
}
