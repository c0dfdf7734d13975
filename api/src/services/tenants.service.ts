import {
  countTenantObjects,
  findPlan,
  findTenant,
  listPlans,
  listTenants,
} from '../db/repositories/tenants.repository.js';
import type { TenantRow } from '../db/tables.js';
import { type Db, inTransaction } from '../db/transaction.js';
import { newId } from '../domain/ids.js';
import { decodePageToken, type Page, toPage } from '../domain/page-token.js';
import { effectiveQuotas, QUOTA_CODES, QUOTA_DESCRIPTIONS, type Quotas } from '../domain/quotas.js';
import { authorize } from '../domain/roles.js';
import { ApiError, notFound } from '../errors.js';
import type { ListQuery } from '../schemas/common.js';
import type { CreateTenant, Tenant, UpdateTenant } from '../schemas/tenants.js';
import type { Actor, Created, IdempotencyRequest } from './actor.js';
import { assertGeneration, audit, createInTransaction, iso } from './changes.js';

export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    plan: row.plan_id,
    quotaOverrides: row.quota_overrides,
    generation: row.generation,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

const unknownPlan = (plan: string) =>
  new ApiError('validation-failed', `plan ${plan} does not exist`, {
    errors: [{ pointer: '/plan', detail: 'no such plan' }],
  });

const withoutNulls = (overrides: Record<string, number | null | undefined>): Record<string, number> =>
  Object.fromEntries(Object.entries(overrides).filter((e): e is [string, number] => typeof e[1] === 'number'));

export class TenantService {
  constructor(private readonly db: Db) {}

  async create(actor: Actor, input: CreateTenant, idempotency?: IdempotencyRequest): Promise<Created<Tenant>> {
    authorize(actor.principal, 'tenants:create');
    return createInTransaction(
      this.db,
      actor,
      idempotency,
      { method: 'POST', path: '/v1/tenants' },
      async (trx) => {
        if (!(await findPlan(trx, input.plan))) throw unknownPlan(input.plan);
        const row = await trx
          .insertInto('tenants')
          .values({
            id: newId('ten'),
            name: input.name,
            display_name: input.displayName ?? input.name,
            plan_id: input.plan,
            quota_overrides: JSON.stringify(withoutNulls(input.quotaOverrides)),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const tenant = toTenant(row);
        await audit(trx, actor, {
          tenantId: row.id,
          action: 'tenant.create',
          resource: `/v1/tenants/${row.id}`,
          before: null,
          after: tenant,
        });
        return tenant;
      },
      () => new ApiError('already-exists', `tenant ${input.name} already exists`),
    );
  }

  async list(actor: Actor, query: ListQuery): Promise<Page<Tenant>> {
    authorize(actor.principal, 'tenants:list');
    const after = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken);
    const rows = await listTenants(this.db, after, query.pageSize + 1);
    return toPage(rows, query.pageSize, (r) => r.id, toTenant);
  }

  async get(actor: Actor, tenantId: string): Promise<Tenant> {
    authorize(actor.principal, 'tenants:read', tenantId);
    return toTenant(await this.require(tenantId));
  }

  async update(actor: Actor, tenantId: string, patch: UpdateTenant, ifMatch: number | '*' | 'invalid' | undefined) {
    authorize(actor.principal, 'tenants:update', tenantId);
    return inTransaction(this.db, async (trx) => {
      const before = await trx
        .selectFrom('tenants')
        .selectAll()
        .where('id', '=', tenantId)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw notFound('tenant', tenantId);
      assertGeneration(ifMatch, before.generation);
      if (patch.plan !== undefined && !(await findPlan(trx, patch.plan))) throw unknownPlan(patch.plan);
      const overrides =
        patch.quotaOverrides === undefined
          ? undefined
          : withoutNulls({ ...before.quota_overrides, ...patch.quotaOverrides });
      const row = await trx
        .updateTable('tenants')
        .set({
          ...(patch.displayName !== undefined && { display_name: patch.displayName }),
          ...(patch.plan !== undefined && { plan_id: patch.plan }),
          ...(overrides !== undefined && { quota_overrides: JSON.stringify(overrides) }),
          generation: before.generation + 1,
          updated_at: new Date(),
        })
        .where('id', '=', tenantId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const tenant = toTenant(row);
      await audit(trx, actor, {
        tenantId,
        action: 'tenant.update',
        resource: `/v1/tenants/${tenantId}`,
        before: toTenant(before),
        after: tenant,
      });
      return tenant;
    });
  }

  /** Only a tenant without instances can go; its API keys go with it. */
  async delete(actor: Actor, tenantId: string, ifMatch: number | '*' | 'invalid' | undefined): Promise<void> {
    authorize(actor.principal, 'tenants:delete', tenantId);
    await inTransaction(this.db, async (trx) => {
      const before = await trx
        .selectFrom('tenants')
        .selectAll()
        .where('id', '=', tenantId)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw notFound('tenant', tenantId);
      assertGeneration(ifMatch, before.generation);
      const { instances } = await countTenantObjects(trx, tenantId);
      if (instances > 0) {
        throw new ApiError(
          'conflict-state',
          `tenant ${tenantId} still has ${instances} instance(s); delete them first`,
        );
      }
      await trx
        .deleteFrom('idempotency_keys')
        .where('scope', 'in', trx.selectFrom('api_keys').select('id').where('tenant_id', '=', tenantId))
        .execute();
      await trx.deleteFrom('tenants').where('id', '=', tenantId).execute();
      await audit(trx, actor, {
        tenantId,
        action: 'tenant.delete',
        resource: `/v1/tenants/${tenantId}`,
        before: toTenant(before),
        after: null,
      });
    });
  }

  async quotas(actor: Actor, tenantId: string) {
    authorize(actor.principal, 'quotas:read', tenantId);
    const tenant = await this.require(tenantId);
    const plan = await findPlan(this.db, tenant.plan_id);
    const applied = effectiveQuotas(plan?.quotas ?? {}, tenant.quota_overrides);
    const counts = await countTenantObjects(this.db, tenantId);
    const usage: Partial<Quotas> = {
      maxInstances: counts.instances,
      maxTopics: counts.topics,
      maxGroups: counts.groups,
    };
    return {
      data: QUOTA_CODES.map((code) => ({
        code,
        description: QUOTA_DESCRIPTIONS[code],
        planLimit: plan?.quotas[code] ?? 0,
        appliedLimit: applied[code],
        usage: usage[code] ?? null,
      })),
    };
  }

  async plans(actor: Actor) {
    authorize(actor.principal, 'plans:read');
    const rows = await listPlans(this.db);
    return { data: rows.map((r) => ({ id: r.id, description: r.description, quotas: r.quotas })) };
  }

  /** The tenant, or 404. Callers have authorized first, so a tenant key only ever asks for its own tenant. */
  async require(tenantId: string): Promise<TenantRow> {
    const row = await findTenant(this.db, tenantId);
    if (!row) throw notFound('tenant', tenantId);
    return row;
  }
}
