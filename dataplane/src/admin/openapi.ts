import { z } from 'zod';
import { TOPIC_MESSAGE_TYPES } from '../messaging/topics.js';
import { GroupSpec, OffsetResetSpec, TopicSpec, VerifyMessageSpec } from './schemas.js';

/**
 * The admin API's OpenAPI 3.1 document. Request bodies come from the zod schemas the routes enforce; responses are
 * written here. A test checks that every route the app serves is described.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const ok = (description: string, schema: object) => ({ description, content: json(schema) });
const topicParam = {
  name: 'topic',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[%|a-zA-Z0-9_-]{1,127}$' },
};
const groupParam = {
  name: 'group',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[%|a-zA-Z0-9_-]{1,255}$' },
  description: 'Names starting with %, __sys_, rmq_sys_ or CID_RMQ_SYS_ are reserved',
};
const clientIdParam = { name: 'clientId', in: 'path', required: true, schema: { type: 'string' } };
const statusSchema = {
  type: ['object', 'null'],
  description: "the client's status, null when it sent none",
  properties: { code: { type: 'integer' }, message: { type: 'string' } },
};
const topicQuery = { name: 'topic', in: 'query', required: true, schema: { type: 'string' } };
const bearer = [{ bearer: [] }];
const errors = {
  '400': problem('Invalid input'),
  '401': problem('Missing or wrong bearer token (when the broker has an admin token)'),
};
const offset = { type: 'string', pattern: '^[0-9]+$', description: 'int64 as a decimal string' };
const strings = { type: 'array', items: { type: 'string' } };

const schemas = {
  TopicSpec: z.toJSONSchema(TopicSpec, { target: 'draft-2020-12', io: 'input' }),
  Topic: {
    type: 'object',
    required: ['name', 'messageType', 'queues', 'acceptMessageTypes'],
    properties: {
      name: { type: 'string' },
      messageType: { enum: [...TOPIC_MESSAGE_TYPES] },
      queues: { type: 'integer' },
      acceptMessageTypes: strings,
    },
  },
  TopicDetail: {
    allOf: [
      ref('Topic'),
      {
        type: 'object',
        required: ['queueOffsets'],
        properties: {
          queueOffsets: {
            type: 'array',
            items: {
              type: 'object',
              required: ['queueId', 'minOffset', 'maxOffset'],
              properties: { queueId: { type: 'integer' }, minOffset: offset, maxOffset: offset },
            },
          },
        },
      },
    ],
  },
  GroupSpec: z.toJSONSchema(GroupSpec, { target: 'draft-2020-12', io: 'input' }),
  OffsetResetSpec: z.toJSONSchema(OffsetResetSpec, { target: 'draft-2020-12', io: 'input' }),
  VerifyMessageSpec: z.toJSONSchema(VerifyMessageSpec, { target: 'draft-2020-12', io: 'input' }),
  Client: {
    type: 'object',
    required: ['clientId', 'clientType', 'group', 'topics', 'language', 'version', 'hostname', 'connectedAt'],
    properties: {
      clientId: { type: 'string' },
      clientType: { type: 'string', description: 'PRODUCER, SIMPLE_CONSUMER, PUSH_CONSUMER, …' },
      group: { type: 'string', description: "consumer group; '' for producers" },
      topics: { type: 'array', items: { type: 'string' } },
      language: { type: 'string' },
      version: { type: 'string' },
      hostname: { type: 'string' },
      connectedAt: { type: 'integer', description: 'epoch ms' },
    },
  },
  GroupLag: {
    type: 'object',
    required: ['group', 'ready', 'inflight', 'queues'],
    properties: {
      group: { type: 'string' },
      ready: { type: 'integer', description: 'messages waiting for a delivery, summed over queues' },
      inflight: { type: 'integer', description: 'delivered and not acked yet, summed over queues' },
      queues: {
        type: 'array',
        items: {
          type: 'object',
          required: [
            'topic',
            'queueId',
            'committedOffset',
            'maxOffset',
            'ready',
            'inflight',
            'oldestReadyAgeMs',
            'oldestUnconsumedAgeMs',
          ],
          properties: {
            topic: { type: 'string' },
            queueId: { type: 'integer' },
            committedOffset: { type: 'integer', description: 'everything below is consumed' },
            maxOffset: { type: 'integer', description: "the queue's next offset" },
            ready: { type: 'integer' },
            inflight: { type: 'integer' },
            oldestReadyAgeMs: { type: ['integer', 'null'], description: 'since the oldest ready message was stored' },
            oldestUnconsumedAgeMs: {
              type: ['integer', 'null'],
              description: 'since the message at the committed offset was stored',
            },
          },
        },
      },
    },
  },
  OffsetReset: {
    type: 'object',
    required: ['group', 'topic', 'to', 'offsets'],
    properties: {
      group: { type: 'string' },
      topic: { type: 'string' },
      to: { type: 'string' },
      offsets: {
        type: 'array',
        items: {
          type: 'object',
          required: ['queueId', 'offset'],
          properties: { queueId: { type: 'integer' }, offset: { type: 'integer' } },
        },
      },
    },
  },
  Group: {
    type: 'object',
    required: ['name', 'fifo', 'maxDeliveryAttempts', 'retryPolicy', 'deadLetterTopic'],
    properties: {
      name: { type: 'string' },
      fifo: { type: 'boolean' },
      maxDeliveryAttempts: {
        type: 'integer',
        description: 'Deliveries before the message goes to the dead-letter topic, the first one included',
      },
      retryPolicy: {
        type: 'object',
        required: ['type', 'initialMs', 'maxMs', 'multiplier'],
        properties: {
          type: { const: 'exponential' },
          initialMs: { type: 'integer' },
          maxMs: { type: 'integer' },
          multiplier: { type: 'number' },
        },
      },
      deadLetterTopic: { type: 'string' },
    },
  },
  Message: {
    type: 'object',
    required: ['topic', 'queueId', 'queueOffset', 'physicalOffset', 'messageId', 'tag', 'keys', 'properties'],
    properties: {
      topic: { type: 'string' },
      queueId: { type: 'integer' },
      queueOffset: offset,
      physicalOffset: offset,
      messageId: { type: 'string' },
      tag: { type: 'string', description: "'' when the message has no tag" },
      keys: strings,
      properties: { type: 'object', additionalProperties: { type: 'string' } },
      bornHost: { type: 'string', description: "the producer's host name, '' when unknown" },
      bornTimestamp: { type: 'integer', description: 'epoch ms' },
      storeTimestamp: { type: 'integer', description: 'epoch ms' },
      bodySize: { type: 'integer', description: 'bytes' },
      body: { type: 'string', contentEncoding: 'base64' },
    },
  },
  TopicTransactions: {
    type: 'object',
    required: ['topic', 'unresolved', 'oldestStoredAt', 'oldestAgeMs'],
    properties: {
      topic: { type: 'string', description: 'the topic the transactions commit to' },
      unresolved: { type: 'integer', description: 'half messages neither committed nor rolled back yet' },
      oldestStoredAt: { type: 'integer', description: 'epoch ms the oldest of them was stored' },
      oldestAgeMs: { type: 'integer', description: 'how long ago that was' },
    },
  },
  TopicTimers: {
    type: 'object',
    required: ['topic', 'pending', 'nextDueAt', 'nextDueInMs'],
    properties: {
      topic: { type: 'string', description: 'the topic the DELAY messages are delivered to' },
      pending: { type: 'integer', description: 'DELAY messages scheduled, neither delivered nor recalled yet' },
      nextDueAt: { type: 'integer', description: 'epoch ms the earliest of them is due' },
      nextDueInMs: { type: 'integer', description: 'how long until then (0 when due already)' },
    },
  },
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details; `code` is the dataplane code whose first three digits are the status',
    required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'integer' },
      instance: { type: 'string' },
      errors: { type: 'array', items: { type: 'object' } },
    },
  },
};

const permissionSchema = {
  type: 'object',
  required: ['write'],
  additionalProperties: false,
  properties: { write: { type: 'boolean' } },
} as const;

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Rocketry broker admin API',
    version: '1',
    description: 'Served by every broker on its admin port (8082). Errors are application/problem+json.',
  },
  components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  paths: {
    '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': ok('Alive', { type: 'object' }) } } },
    '/readyz': {
      get: {
        summary: 'Readiness: storage recovered (and, later, registered with the name server)',
        security: [],
        responses: { '200': ok('Ready', { type: 'object' }), '503': ok('Starting', { type: 'object' }) },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        security: bearer,
        responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': {} } }, ...errors },
      },
    },
    '/openapi.json': {
      get: {
        summary: 'This document',
        security: bearer,
        responses: { '200': ok('OpenAPI 3.1', { type: 'object' }), ...errors },
      },
    },
    '/v1/topics': {
      get: {
        summary: 'List topics, by name',
        security: bearer,
        responses: {
          '200': ok('Topics', { type: 'object', properties: { topics: { type: 'array', items: ref('Topic') } } }),
          ...errors,
        },
      },
    },
    '/v1/topics/{topic}': {
      parameters: [topicParam],
      get: {
        summary: 'A topic with the min and max offset of each queue',
        security: bearer,
        responses: { '200': ok('Topic', ref('TopicDetail')), '404': problem('No such topic'), ...errors },
      },
      put: {
        summary: 'Create a topic, or add queues to it (never remove them; the message type is fixed)',
        security: bearer,
        requestBody: { required: true, content: json(ref('TopicSpec')) },
        responses: {
          '200': ok('Updated', ref('TopicDetail')),
          '201': ok('Created', ref('TopicDetail')),
          '409': problem('Fewer queues than the topic has, or a different message type'),
          '415': problem('Body is not application/json'),
          ...errors,
        },
      },
      delete: {
        summary: 'Remove a topic from the registry (stored messages age out by retention)',
        security: bearer,
        responses: {
          '204': { description: 'Deleted' },
          '404': problem('No such topic'),
          '501': problem('This broker cannot delete topics yet'),
          ...errors,
        },
      },
    },
    '/v1/groups': {
      get: {
        summary: 'List consumer groups, by name',
        security: bearer,
        responses: {
          '200': ok('Groups', { type: 'object', properties: { groups: { type: 'array', items: ref('Group') } } }),
          ...errors,
        },
      },
    },
    '/v1/groups/{group}': {
      parameters: [groupParam],
      get: {
        summary: 'A consumer group',
        security: bearer,
        responses: { '200': ok('Group', ref('Group')), '404': problem('No such group'), ...errors },
      },
      put: {
        summary: 'Create or replace a consumer group; omitted fields take the defaults; FIFO is fixed once created',
        security: bearer,
        requestBody: { required: true, content: json(ref('GroupSpec')) },
        responses: {
          '200': ok('Updated', ref('Group')),
          '201': ok('Created', ref('Group')),
          '409': problem('A different FIFO setting than the group has'),
          '415': problem('Body is not application/json'),
          ...errors,
        },
      },
      delete: {
        summary: 'Remove a consumer group from the registry',
        security: bearer,
        responses: { '204': { description: 'Deleted' }, '404': problem('No such group'), ...errors },
      },
    },
    '/v1/groups/{group}/lag': {
      parameters: [groupParam],
      get: {
        summary: "The group's backlog on this broker, per topic and queue",
        security: bearer,
        responses: { '200': ok('Lag', ref('GroupLag')), '404': problem('No such group'), ...errors },
      },
    },
    '/v1/groups/{group}/offsets:reset': {
      parameters: [groupParam],
      post: {
        summary: 'Restart the group in a topic at its first message, its end, or the first message stored at a time',
        security: bearer,
        requestBody: { required: true, content: json(ref('OffsetResetSpec')) },
        responses: {
          '200': ok('The new offset of every queue', ref('OffsetReset')),
          '404': problem('No such group or topic'),
          '415': problem('Body is not application/json'),
          ...errors,
        },
      },
    },
    '/v1/clients': {
      get: {
        summary: 'Clients with an open Telemetry stream to this broker',
        security: bearer,
        responses: {
          '200': ok('Clients', { type: 'object', properties: { clients: { type: 'array', items: ref('Client') } } }),
          ...errors,
        },
      },
    },
    '/v1/clients/{clientId}:printStackTrace': {
      parameters: [clientIdParam],
      post: {
        summary: "Ask the client for its threads' stack trace (answered on its Telemetry stream)",
        security: bearer,
        responses: {
          '200': ok('The answer', {
            type: 'object',
            properties: { clientId: { type: 'string' }, status: statusSchema, stackTrace: { type: 'string' } },
          }),
          '404': problem('No such client connected'),
          '504': problem('The client did not answer in time'),
          ...errors,
        },
      },
    },
    '/v1/clients/{clientId}:verifyMessage': {
      parameters: [clientIdParam],
      post: {
        summary: 'Ask the client to verify (consume directly) a stored message',
        security: bearer,
        requestBody: { required: true, content: json(ref('VerifyMessageSpec')) },
        responses: {
          '200': ok('The answer', {
            type: 'object',
            properties: { clientId: { type: 'string' }, status: statusSchema },
          }),
          '404': problem('No such client or message'),
          '415': problem('Body is not application/json'),
          '504': problem('The client did not answer in time'),
          ...errors,
        },
      },
    },
    '/v1/clients/{clientId}:reconnect': {
      parameters: [clientIdParam],
      post: {
        summary: 'Ask the client to reopen its Telemetry stream (it sends its Settings again)',
        security: bearer,
        responses: {
          '202': ok('Sent', { type: 'object', properties: { clientId: { type: 'string' } } }),
          '404': problem('No such client connected'),
          ...errors,
        },
      },
    },
    '/v1/messages': {
      get: {
        summary: 'Messages of a topic carrying a key, newest first (at most 32)',
        security: bearer,
        parameters: [topicQuery, { name: 'key', in: 'query', required: true, schema: { type: 'string' } }],
        responses: {
          '200': ok('Messages', { type: 'object', properties: { messages: { type: 'array', items: ref('Message') } } }),
          ...errors,
        },
      },
    },
    '/v1/broker/permission': {
      get: {
        summary: 'Whether this broker takes new messages',
        security: bearer,
        responses: { '200': ok('Permission', permissionSchema), ...errors },
      },
      put: {
        summary: 'Turn writes off to drain the broker (routes say READ, sends are refused), or back on',
        security: bearer,
        requestBody: { required: true, content: { 'application/json': { schema: permissionSchema } } },
        responses: { '200': ok('Permission', permissionSchema), ...errors },
      },
    },
    '/v1/transactions': {
      get: {
        summary: 'Unresolved transactions on this broker per topic: how many, and the age of the oldest',
        security: bearer,
        parameters: [{ name: 'topic', in: 'query', required: false, schema: { type: 'string' } }],
        responses: {
          '200': ok('Unresolved transactions, by topic', {
            type: 'object',
            properties: { topics: { type: 'array', items: ref('TopicTransactions') } },
          }),
          '404': problem('Transactions are not enabled on this broker'),
          ...errors,
        },
      },
    },
    '/v1/timers': {
      get: {
        summary: 'Pending DELAY messages (timers) on this broker per topic: how many, and when the next is due',
        security: bearer,
        parameters: [{ name: 'topic', in: 'query', required: false, schema: { type: 'string' } }],
        responses: {
          '200': ok('Pending timers, by topic', {
            type: 'object',
            properties: { topics: { type: 'array', items: ref('TopicTimers') } },
          }),
          '404': problem('Timers are not enabled on this broker'),
          ...errors,
        },
      },
    },
    '/v1/messages/{messageId}': {
      get: {
        summary: 'The newest message of a topic with this id',
        security: bearer,
        parameters: [{ name: 'messageId', in: 'path', required: true, schema: { type: 'string' } }, topicQuery],
        responses: { '200': ok('Message', ref('Message')), '404': problem('No such message'), ...errors },
      },
    },
  },
} as const;
