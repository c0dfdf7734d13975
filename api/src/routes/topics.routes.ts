import { created, noContent, ok, resource } from '../http/replies.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { ListQuery, NoQuery, pageOf } from '../schemas/common.js';
import { InstanceParams } from '../schemas/instances.js';
import { CreateTopic, Topic, TopicParams, UpdateTopic } from '../schemas/topics.js';
import type { Services } from './services.js';

const base = '/v1/tenants/{tenantId}/instances/{instanceId}/topics';

export function topicRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: base,
      operationId: 'createTopic',
      summary: 'Create a topic (checked against quotas, then applied to the brokers)',
      tag: 'topics',
      params: InstanceParams,
      query: NoQuery,
      body: CreateTopic,
      idempotent: true,
      success: { status: 201, description: 'Created; status tells whether the brokers have it', schema: Topic },
      errors: [403, 409, 422],
      handle: async ({ params, body, actor, idempotency }) => {
        const result = await s.topics.create(actor, params.tenantId, params.instanceId, body, idempotency);
        return created(result, `/v1/tenants/${params.tenantId}/instances/${params.instanceId}/topics/${body.name}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: base,
      operationId: 'listTopics',
      summary: "List an instance's topics (by name)",
      tag: 'topics',
      params: InstanceParams,
      query: ListQuery,
      success: { status: 200, description: 'A page of topics', schema: pageOf(Topic) },
      handle: async ({ params, query, actor }) =>
        ok(await s.topics.list(actor, params.tenantId, params.instanceId, query)),
    }),
    defineRoute({
      method: 'get',
      path: `${base}/{topic}`,
      operationId: 'getTopic',
      summary: 'Get a topic',
      tag: 'topics',
      params: TopicParams,
      query: NoQuery,
      success: { status: 200, description: 'The topic', schema: Topic },
      handle: async ({ params, actor }) =>
        resource(await s.topics.get(actor, params.tenantId, params.instanceId, params.topic)),
    }),
    defineRoute({
      method: 'patch',
      path: `${base}/{topic}`,
      operationId: 'updateTopic',
      summary: 'Change queues (grow only), retention or description; the message type is fixed',
      tag: 'topics',
      params: TopicParams,
      query: NoQuery,
      body: UpdateTopic,
      conditional: true,
      success: { status: 200, description: 'The topic', schema: Topic },
      errors: [403, 409, 412, 422],
      handle: async ({ params, body, actor, ifMatch }) =>
        resource(await s.topics.update(actor, params.tenantId, params.instanceId, params.topic, body, ifMatch)),
    }),
    defineRoute({
      method: 'delete',
      path: `${base}/{topic}`,
      operationId: 'deleteTopic',
      summary: 'Delete a topic (and from the brokers)',
      tag: 'topics',
      params: TopicParams,
      query: NoQuery,
      conditional: true,
      success: { status: 204, description: 'Deleted' },
      errors: [403, 412],
      handle: async ({ params, actor, ifMatch }) => {
        await s.topics.delete(actor, params.tenantId, params.instanceId, params.topic, ifMatch);
        return noContent;
      },
    }),
  ];
}
