import { z } from 'zod';
import { PROBLEMS } from '../errors.js';
import { Problem } from '../schemas/common.js';
import type { AnyRoute } from './route.js';

/**
 * The OpenAPI 3.1 document, generated from the same route declarations and zod schemas that validate requests:
 * what is published is what is enforced. Request schemas are rendered as input (defaults make fields optional),
 * responses as output.
 */
type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (problem type validation-failed, malformed-json or invalid-page-token)',
  401: 'Missing, unknown or revoked API key',
  403: "The key's role lacks this permission in its own tenant",
  404: "Not found (also for another tenant's resources)",
  409: 'Conflict: already exists, quota exceeded, or a state that forbids it',
  412: 'If-Match does not match the current ETag',
  415: 'The body is not application/json',
  422: 'An immutable field would change, or an Idempotency-Key was reused for another request',
  500: 'Internal error',
};

function parameters(route: AnyRoute): object[] {
  const out: object[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
    }
  }
  if (route.idempotent) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Repeats with the same key and body get the first response again (Idempotent-Replayed: true)',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  if (route.conditional) {
    out.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'The ETag from a GET; a mismatch answers 412',
      schema: { type: 'string' },
    });
  }
  return out;
}

function operation(route: AnyRoute): object {
  const responses: Record<string, object> = {
    [String(route.success.status)]: route.success.schema
      ? {
          description: route.success.description,
          content: { 'application/json': { schema: jsonSchema(route.success.schema, 'output') } },
        }
      : { description: route.success.description },
  };
  const errorStatuses = new Set([400, ...(route.public ? [] : [401, 404]), ...(route.errors ?? []), 500]);
  if (route.body) errorStatuses.add(415);
  for (const status of [...errorStatuses].sort()) {
    responses[String(status)] = problemResponse(STATUS_DESCRIPTIONS[status] ?? 'Error');
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.public && { security: [] }),
    parameters: parameters(route),
    ...(route.body && {
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
    }),
    responses,
  };
}

export function openApiDocument(routes: readonly AnyRoute[]): object {
  const paths: Record<string, Record<string, object>> = {
    '/healthz': { get: plain('Liveness', 'Alive') },
    '/readyz': { get: { ...plain('Readiness: the database answers', 'Ready'), responses: readyResponses } },
    '/metrics': { get: plain('Prometheus metrics', 'Metrics in the Prometheus text format', 'text/plain') },
    '/openapi.json': { get: plain('This document', 'OpenAPI 3.1') },
  };
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, object>)[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rocketry control plane API',
      version: '1',
      description:
        'Tenants, API keys, clusters, instances, topics and consumer groups. Errors are RFC 9457 problem+json with ' +
        `stable type URIs: ${Object.keys(PROBLEMS).join(', ')}.`,
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key' } },
      schemas: { Problem: jsonSchema(Problem, 'output') },
    },
    paths,
  };
}

const readyResponses = {
  '200': { description: 'Ready', content: { 'application/json': { schema: { type: 'object' } } } },
  '503': problemResponse('Not ready'),
};

function plain(summary: string, description: string, contentType = 'application/json') {
  return {
    summary,
    security: [],
    responses: {
      '200': {
        description,
        content: { [contentType]: { schema: contentType === 'text/plain' ? { type: 'string' } : { type: 'object' } } },
      },
    },
  };
}
