import { z } from 'zod';
import { TENANT_ROLES } from '../domain/roles.js';
import { Id, Timestamp } from './common.js';

const KeyName = z.string().min(1).max(100);

export const CreateTenantApiKey = z.strictObject({ name: KeyName, role: z.enum(TENANT_ROLES) });
export type CreateTenantApiKey = z.infer<typeof CreateTenantApiKey>;
export const CreatePlatformApiKey = z.strictObject({ name: KeyName });
export type CreatePlatformApiKey = z.infer<typeof CreatePlatformApiKey>;

export const TenantApiKeyParams = z.strictObject({ tenantId: Id, keyId: Id });
export const PlatformApiKeyParams = z.strictObject({ keyId: Id });

export const ApiKey = z.object({
  id: Id,
  name: z.string(),
  role: z.enum(['platform-admin', ...TENANT_ROLES]),
  tenantId: Id.nullable(),
  createdAt: Timestamp,
  revokedAt: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;
export const ApiKeyWithSecret = ApiKey.extend({
  secret: z.string().describe('the bearer token; shown only in this response'),
});
