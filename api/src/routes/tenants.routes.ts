import { created, noContent, ok, resource } from '../http/replies.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { ListQuery, NoQuery, pageOf } from '../schemas/common.js';
import { CreateTenant, PlanList, QuotaList, Tenant, TenantParams, UpdateTenant } from '../schemas/tenants.js';
import type { Services } from './services.js';

export function tenantRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/tenants',
      operationId: 'createTenant',
      summary: 'Create a tenant (platform admin)',
      tag: 'tenants',
      query: NoQuery,
      body: CreateTenant,
      idempotent: true,
      success: { status: 201, description: 'Created', schema: Tenant },
      errors: [403, 409, 422],
      handle: async ({ body, actor, idempotency }) => {
        const result = await s.tenants.create(actor, body, idempotency);
        return created(result, `/v1/tenants/${result.body.id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/tenants',
      operationId: 'listTenants',
      summary: 'List tenants (platform admin)',
      tag: 'tenants',
      query: ListQuery,
      success: { status: 200, description: 'A page of tenants', schema: pageOf(Tenant) },
      errors: [403],
      handle: async ({ query, actor }) => ok(await s.tenants.list(actor, query)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/tenants/{tenantId}',
      operationId: 'getTenant',
      summary: 'Get a tenant',
      tag: 'tenants',
      params: TenantParams,
      query: NoQuery,
      success: { status: 200, description: 'The tenant', schema: Tenant },
      handle: async ({ params, actor }) => resource(await s.tenants.get(actor, params.tenantId)),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/tenants/{tenantId}',
      operationId: 'updateTenant',
      summary: 'Change a tenant: display name, plan, quota overrides (platform admin)',
      tag: 'tenants',
      params: TenantParams,
      query: NoQuery,
      body: UpdateTenant,
      conditional: true,
      success: { status: 200, description: 'The tenant', schema: Tenant },
      errors: [403, 412, 422],
      handle: async ({ params, body, actor, ifMatch }) =>
        resource(await s.tenants.update(actor, params.tenantId, body, ifMatch)),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/tenants/{tenantId}',
      operationId: 'deleteTenant',
      summary: 'Delete a tenant without instances, and its API keys (platform admin)',
      tag: 'tenants',
      params: TenantParams,
      query: NoQuery,
      conditional: true,
      success: { status: 204, description: 'Deleted' },
      errors: [403, 409, 412],
      handle: async ({ params, actor, ifMatch }) => {
        await s.tenants.delete(actor, params.tenantId, ifMatch);
        return noContent;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/tenants/{tenantId}/quotas',
      operationId: 'getTenantQuotas',
      summary: "A tenant's quotas: plan limit, applied limit (with overrides) and usage",
      tag: 'tenants',
      params: TenantParams,
      query: NoQuery,
      success: { status: 200, description: 'Quotas', schema: QuotaList },
      handle: async ({ params, actor }) => ok(await s.tenants.quotas(actor, params.tenantId)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/plans',
      operationId: 'listPlans',
      summary: 'Plans and their default quotas',
      tag: 'tenants',
      query: NoQuery,
      success: { status: 200, description: 'Plans', schema: PlanList },
      handle: async ({ actor }) => ok(await s.tenants.plans(actor)),
    }),
  ];
}
