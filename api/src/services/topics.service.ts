import type { TopicRow } from '../db/tables.js';
import { type Db, inTransaction } from '../db/transaction.js';
import { decodePageToken, type Page, toPage } from '../domain/page-token.js';
import { assertWithinBound } from '../domain/quotas.js';
import { authorize } from '../domain/roles.js';
import { ApiError, notFound } from '../errors.js';
import type { ListQuery, Status } from '../schemas/common.js';
import type { CreateTopic, Topic, UpdateTopic } from '../schemas/topics.js';
import type { Actor, Created, IdempotencyRequest } from './actor.js';
import { assertGeneration, audit, createInTransaction, iso, updateIdempotentResponse } from './changes.js';
import type { InstanceService } from './instances.service.js';
import type { Provisioning } from './provisioning.js';
import { assertRoomFor, lockTenantQuotas } from './quota-guard.js';

export function toTopic(row: TopicRow): Topic {
  return {
    name: row.name,
    instanceId: row.instance_id,
    messageType: row.message_type as Topic['messageType'],
    queues: row.queues,
    retentionHours: row.retention_hours,
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
  `/v1/tenants/${tenantId}/instances/${instanceId}/topics${name === undefined ? '' : `/${name}`}`;

/** Topics of an instance. Changes commit first, then the data plane is brought in line (status follows). */
export class TopicService {
  constructor(
    private readonly db: Db,
    private readonly instances: InstanceService,
    private readonly provisioning: Provisioning,
  ) {}

  async create(
    actor: Actor,
    tenantId: string,
    instanceId: string,
    input: CreateTopic,
    idempotency?: IdempotencyRequest,
  ): Promise<Created<Topic>> {
    authorize(actor.principal, 'topics:write', tenantId);
    const created = await createInTransaction(
      this.db,
      actor,
      idempotency,
      { method: 'POST', path: path(tenantId, instanceId) },
      async (trx) => {
        const { quotas } = await lockTenantQuotas(trx, tenantId);
        await this.instances.require(trx, tenantId, instanceId);
        await assertRoomFor(trx, tenantId, quotas, 'topics');
        assertWithinBound('maxQueuesPerTopic', quotas.maxQueuesPerTopic, input.queues);
        assertWithinBound('maxRetentionHours', quotas.maxRetentionHours, input.retentionHours);
        const row = await trx
          .insertInto('topics')
          .values({
            instance_id: instanceId,
            tenant_id: tenantId,
            name: input.name,
            description: input.description,
            message_type: input.messageType,
            queues: input.queues,
            retention_hours: input.retentionHours,
            phase: 'PROVISIONING',
            conditions: '[]',
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const topic = toTopic(row);
        await audit(trx, actor, {
          tenantId,
          action: 'topic.create',
          resource: path(tenantId, instanceId, input.name),
          before: null,
          after: topic,
        });
        return topic;
      },
      () => new ApiError('already-exists', `topic ${input.name} already exists in instance ${instanceId}`),
    );
    if (created.replayed) return created;
    const body = await this.sync(tenantId, instanceId, input.name);
    await updateIdempotentResponse(this.db, actor, idempotency, body);
    return { ...created, body };
  }

  async list(actor: Actor, tenantId: string, instanceId: string, query: ListQuery): Promise<Page<Topic>> {
    authorize(actor.principal, 'topics:read', tenantId);
    await this.instances.require(this.db, tenantId, instanceId);
    const after = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken);
    let q = this.db.selectFrom('topics').selectAll().where('instance_id', '=', instanceId);
    if (after !== undefined) q = q.where('name', '>', after);
    const rows = await q
      .orderBy('name')
      .limit(query.pageSize + 1)
      .execute();
    return toPage(rows, query.pageSize, (r) => r.name, toTopic);
  }

  async get(actor: Actor, tenantId: string, instanceId: string, name: string): Promise<Topic> {
    authorize(actor.principal, 'topics:read', tenantId);
    return toTopic(await this.require(tenantId, instanceId, name));
  }

  async update(
    actor: Actor,
    tenantId: string,
    instanceId: string,
    name: string,
    patch: UpdateTopic,
    ifMatch: number | '*' | 'invalid' | undefined,
  ): Promise<Topic> {
    authorize(actor.principal, 'topics:write', tenantId);
    await inTransaction(this.db, async (trx) => {
      const { quotas } = await lockTenantQuotas(trx, tenantId);
      const before = await trx
        .selectFrom('topics')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('instance_id', '=', instanceId)
        .where('name', '=', name)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw notFound('topic', name);
      assertGeneration(ifMatch, before.generation);
      if (patch.messageType !== undefined && patch.messageType !== before.message_type) {
        throw new ApiError('immutable-field', `a topic's message type cannot change (it is ${before.message_type})`, {
          errors: [{ pointer: '/messageType', detail: 'immutable' }],
        });
      }
      if (patch.queues !== undefined && patch.queues < before.queues) {
        throw new ApiError('immutable-field', `queues can only grow (the topic has ${before.queues})`, {
          errors: [{ pointer: '/queues', detail: 'cannot decrease' }],
        });
      }
      if (patch.queues !== undefined) assertWithinBound('maxQueuesPerTopic', quotas.maxQueuesPerTopic, patch.queues);
      if (patch.retentionHours !== undefined) {
        assertWithinBound('maxRetentionHours', quotas.maxRetentionHours, patch.retentionHours);
      }
      const row = await trx
        .updateTable('topics')
        .set({
          ...(patch.queues !== undefined && { queues: patch.queues }),
          ...(patch.retentionHours !== undefined && { retention_hours: patch.retentionHours }),
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
        action: 'topic.update',
        resource: path(tenantId, instanceId, name),
        before: toTopic(before),
        after: toTopic(row),
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
    authorize(actor.principal, 'topics:write', tenantId);
    const instance = await inTransaction(this.db, async (trx) => {
      const instance = await this.instances.require(trx, tenantId, instanceId);
      const before = await trx
        .selectFrom('topics')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('name', '=', name)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw notFound('topic', name);
      assertGeneration(ifMatch, before.generation);
      await trx.deleteFrom('topics').where('instance_id', '=', instanceId).where('name', '=', name).execute();
      await audit(trx, actor, {
        tenantId,
        action: 'topic.delete',
        resource: path(tenantId, instanceId, name),
        before: toTopic(before),
        after: null,
      });
      return instance;
    });
    await this.provisioning.deleteTopic(instance, name);
  }

  /** Applies the committed topic to the data plane and records the outcome as its status. */
  private async sync(tenantId: string, instanceId: string, name: string): Promise<Topic> {
    const instance = await this.instances.require(this.db, tenantId, instanceId);
    const row = await this.require(tenantId, instanceId, name);
    const status = await this.provisioning.applyTopic(instance, toTopic(row));
    if (!status) return toTopic(row);
    const updated = await this.db
      .updateTable('topics')
      .set({
        phase: status.phase,
        conditions: JSON.stringify(status.conditions),
        observed_generation: status.observedGeneration,
      })
      .where('instance_id', '=', instanceId)
      .where('name', '=', name)
      // A newer change raced this one: leave the status to that change's own sync.
      .where('generation', '=', status.observedGeneration)
      .returningAll()
      .executeTakeFirst();
    return toTopic(updated ?? (await this.require(tenantId, instanceId, name)));
  }

  private async require(tenantId: string, instanceId: string, name: string): Promise<TopicRow> {
    const row = await this.db
      .selectFrom('topics')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('instance_id', '=', instanceId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) {
      await this.instances.require(this.db, tenantId, instanceId);
      throw notFound('topic', name);
    }
    return row;
  }
}
