import { created, noContent, ok, resource } from '../http/replies.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { ListQuery, NoQuery, pageOf } from '../schemas/common.js';
import { CreateGroup, Group, GroupParams, UpdateGroup } from '../schemas/groups.js';
import { InstanceParams } from '../schemas/instances.js';
import type { Services } from './services.js';

const base = '/v1/tenants/{tenantId}/instances/{instanceId}/consumer-groups';

export function groupRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: base,
      operationId: 'createConsumerGroup',
      summary: 'Create a consumer group (checked against quotas, then applied to the brokers)',
      tag: 'consumer-groups',
      params: InstanceParams,
      query: NoQuery,
      body: CreateGroup,
      idempotent: true,
      success: { status: 201, description: 'Created; status tells whether the brokers have it', schema: Group },
      errors: [403, 409, 422],
      handle: async ({ params, body, actor, idempotency }) => {
        const result = await s.groups.create(actor, params.tenantId, params.instanceId, body, idempotency);
        return created(
          result,
          `/v1/tenants/${params.tenantId}/instances/${params.instanceId}/consumer-groups/${body.name}`,
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: base,
      operationId: 'listConsumerGroups',
      summary: "List an instance's consumer groups (by name)",
      tag: 'consumer-groups',
      params: InstanceParams,
      query: ListQuery,
      success: { status: 200, description: 'A page of consumer groups', schema: pageOf(Group) },
      handle: async ({ params, query, actor }) =>
        ok(await s.groups.list(actor, params.tenantId, params.instanceId, query)),
    }),
    defineRoute({
      method: 'get',
      path: `${base}/{group}`,
      operationId: 'getConsumerGroup',
      summary: 'Get a consumer group',
      tag: 'consumer-groups',
      params: GroupParams,
      query: NoQuery,
      success: { status: 200, description: 'The consumer group', schema: Group },
      handle: async ({ params, actor }) =>
        resource(await s.groups.get(actor, params.tenantId, params.instanceId, params.group)),
    }),
    defineRoute({
      method: 'patch',
      path: `${base}/{group}`,
      operationId: 'updateConsumerGroup',
      summary: 'Change max delivery attempts, retry policy or description; FIFO is fixed',
      tag: 'consumer-groups',
      params: GroupParams,
      query: NoQuery,
      body: UpdateGroup,
      conditional: true,
      success: { status: 200, description: 'The consumer group', schema: Group },
      errors: [403, 412, 422],
      handle: async ({ params, body, actor, ifMatch }) =>
        resource(await s.groups.update(actor, params.tenantId, params.instanceId, params.group, body, ifMatch)),
    }),
    defineRoute({
      method: 'delete',
      path: `${base}/{group}`,
      operationId: 'deleteConsumerGroup',
      summary: 'Delete a consumer group (and from the brokers)',
      tag: 'consumer-groups',
      params: GroupParams,
      query: NoQuery,
      conditional: true,
      success: { status: 204, description: 'Deleted' },
      errors: [403, 412],
      handle: async ({ params, actor, ifMatch }) => {
        await s.groups.delete(actor, params.tenantId, params.instanceId, params.group, ifMatch);
        return noContent;
      },
    }),
  ];
}
