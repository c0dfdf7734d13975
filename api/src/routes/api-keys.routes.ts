import { created, ok } from '../http/replies.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import {
  ApiKey,
  ApiKeyWithSecret,
  CreatePlatformApiKey,
  CreateTenantApiKey,
  PlatformApiKeyParams,
  TenantApiKeyParams,
} from '../schemas/api-keys.js';
import { ListQuery, NoQuery, pageOf } from '../schemas/common.js';
import { TenantParams } from '../schemas/tenants.js';
import type { Services } from './services.js';

export function apiKeyRoutes(s: Services): AnyRoute[] {
  const platform = { tenantId: null };
  return [
    defineRoute({
      method: 'post',
      path: '/v1/api-keys',
      operationId: 'createPlatformApiKey',
      summary: 'Create a platform admin key; the secret is in this response only',
      tag: 'api-keys',
      query: NoQuery,
      body: CreatePlatformApiKey,
      idempotent: true,
      success: { status: 201, description: 'Created', schema: ApiKeyWithSecret },
      errors: [403, 422],
      handle: async ({ body, actor, idempotency }) => {
        const result = await s.apiKeys.create(
          actor,
          platform,
          { name: body.name, role: 'platform-admin' },
          idempotency,
        );
        return created(result, `/v1/api-keys/${result.body.id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/api-keys',
      operationId: 'listPlatformApiKeys',
      summary: 'List platform admin keys',
      tag: 'api-keys',
      query: ListQuery,
      success: { status: 200, description: 'A page of keys', schema: pageOf(ApiKey) },
      errors: [403],
      handle: async ({ query, actor }) => ok(await s.apiKeys.list(actor, platform, query)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/api-keys/{keyId}',
      operationId: 'getPlatformApiKey',
      summary: 'Get a platform admin key',
      tag: 'api-keys',
      params: PlatformApiKeyParams,
      query: NoQuery,
      success: { status: 200, description: 'The key', schema: ApiKey },
      errors: [403],
      handle: async ({ params, actor }) => ok(await s.apiKeys.get(actor, platform, params.keyId)),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/api-keys/{keyId}',
      operationId: 'revokePlatformApiKey',
      summary: 'Revoke a platform admin key (answers the revoked key)',
      tag: 'api-keys',
      params: PlatformApiKeyParams,
      query: NoQuery,
      success: { status: 200, description: 'Revoked', schema: ApiKey },
      errors: [403],
      handle: async ({ params, actor }) => ok(await s.apiKeys.revoke(actor, platform, params.keyId)),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/tenants/{tenantId}/api-keys',
      operationId: 'createTenantApiKey',
      summary: 'Create a tenant key (tenant-admin or tenant-viewer); the secret is in this response only',
      tag: 'api-keys',
      params: TenantParams,
      query: NoQuery,
      body: CreateTenantApiKey,
      idempotent: true,
      success: { status: 201, description: 'Created', schema: ApiKeyWithSecret },
      errors: [403, 422],
      handle: async ({ params, body, actor, idempotency }) => {
        const result = await s.apiKeys.create(actor, { tenantId: params.tenantId }, body, idempotency);
        return created(result, `/v1/tenants/${params.tenantId}/api-keys/${result.body.id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/tenants/{tenantId}/api-keys',
      operationId: 'listTenantApiKeys',
      summary: "List a tenant's keys",
      tag: 'api-keys',
      params: TenantParams,
      query: ListQuery,
      success: { status: 200, description: 'A page of keys', schema: pageOf(ApiKey) },
      errors: [403],
      handle: async ({ params, query, actor }) => ok(await s.apiKeys.list(actor, { tenantId: params.tenantId }, query)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/tenants/{tenantId}/api-keys/{keyId}',
      operationId: 'getTenantApiKey',
      summary: 'Get a tenant key',
      tag: 'api-keys',
      params: TenantApiKeyParams,
      query: NoQuery,
      success: { status: 200, description: 'The key', schema: ApiKey },
      errors: [403],
      handle: async ({ params, actor }) => ok(await s.apiKeys.get(actor, { tenantId: params.tenantId }, params.keyId)),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/tenants/{tenantId}/api-keys/{keyId}',
      operationId: 'revokeTenantApiKey',
      summary: 'Revoke a tenant key (answers the revoked key)',
      tag: 'api-keys',
      params: TenantApiKeyParams,
      query: NoQuery,
      success: { status: 200, description: 'Revoked', schema: ApiKey },
      errors: [403],
      handle: async ({ params, actor }) =>
        ok(await s.apiKeys.revoke(actor, { tenantId: params.tenantId }, params.keyId)),
    }),
  ];
}
