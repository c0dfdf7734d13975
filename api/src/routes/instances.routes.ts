import { created, noContent, ok, resource } from '../http/replies.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { ListQuery, NoQuery, pageOf } from '../schemas/common.js';
import { CreateInstance, Instance, InstanceParams, UpdateInstance } from '../schemas/instances.js';
import { TenantParams } from '../schemas/tenants.js';
import type { Services } from './services.js';

export function instanceRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/tenants/{tenantId}/instances',
      operationId: 'createInstance',
      summary: 'Create an instance in a region (placed on a cluster; a shared one gives it a resource namespace)',
      tag: 'instances',
      params: TenantParams,
      query: NoQuery,
      body: CreateInstance,
      idempotent: true,
      success: { status: 201, description: 'Created', schema: Instance },
      errors: [403, 409, 422],
      handle: async ({ params, body, actor, idempotency }) => {
        const result = await s.instances.create(actor, params.tenantId, body, idempotency);
        return created(result, `/v1/tenants/${params.tenantId}/instances/${result.body.id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/tenants/{tenantId}/instances',
      operationId: 'listInstances',
      summary: "List a tenant's instances",
      tag: 'instances',
      params: TenantParams,
      query: ListQuery,
      success: { status: 200, description: 'A page of instances', schema: pageOf(Instance) },
      handle: async ({ params, query, actor }) => ok(await s.instances.list(actor, params.tenantId, query)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/tenants/{tenantId}/instances/{instanceId}',
      operationId: 'getInstance',
      summary: 'Get an instance',
      tag: 'instances',
      params: InstanceParams,
      query: NoQuery,
      success: { status: 200, description: 'The instance', schema: Instance },
      handle: async ({ params, actor }) => resource(await s.instances.get(actor, params.tenantId, params.instanceId)),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/tenants/{tenantId}/instances/{instanceId}',
      operationId: 'updateInstance',
      summary: "Change an instance's description",
      tag: 'instances',
      params: InstanceParams,
      query: NoQuery,
      body: UpdateInstance,
      conditional: true,
      success: { status: 200, description: 'The instance', schema: Instance },
      errors: [403, 412],
      handle: async ({ params, body, actor, ifMatch }) =>
        resource(await s.instances.update(actor, params.tenantId, params.instanceId, body, ifMatch)),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/tenants/{tenantId}/instances/{instanceId}',
      operationId: 'deleteInstance',
      summary: 'Delete an instance without topics or consumer groups',
      tag: 'instances',
      params: InstanceParams,
      query: NoQuery,
      conditional: true,
      success: { status: 204, description: 'Deleted' },
      errors: [403, 409, 412],
      handle: async ({ params, actor, ifMatch }) => {
        await s.instances.delete(actor, params.tenantId, params.instanceId, ifMatch);
        return noContent;
      },
    }),
  ];
}
