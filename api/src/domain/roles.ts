import { forbidden, notFound } from '../errors.js';

export const ROLES = ['platform-admin', 'tenant-admin', 'tenant-viewer'] as const;
export type Role = (typeof ROLES)[number];
export const TENANT_ROLES = ['tenant-admin', 'tenant-viewer'] as const;

/** Who is calling: the API key's id, its role, and its tenant (null for platform admins). */
export interface Principal {
  readonly keyId: string;
  readonly role: Role;
  readonly tenantId: string | null;
}

export type Permission =
  | 'tenants:create'
  | 'tenants:list'
  | 'tenants:read'
  | 'tenants:update'
  | 'tenants:delete'
  | 'quotas:read'
  | 'quotas:update'
  | 'plans:read'
  | 'clusters:read'
  | 'clusters:write'
  | 'regions:read'
  | 'platform-keys:read'
  | 'platform-keys:write'
  | 'api-keys:read'
  | 'api-keys:write'
  | 'instances:read'
  | 'instances:write'
  | 'instances:place'
  | 'topics:read'
  | 'topics:write'
  | 'groups:read'
  | 'groups:write'
  | 'audit:read';

const VIEWER: readonly Permission[] = [
  'tenants:read',
  'quotas:read',
  'plans:read',
  'regions:read',
  'instances:read',
  'topics:read',
  'groups:read',
];
const TENANT_ADMIN: readonly Permission[] = [
  ...VIEWER,
  'api-keys:read',
  'api-keys:write',
  'instances:write',
  'topics:write',
  'groups:write',
  'audit:read',
];

/** Platform admins hold every permission; tenant roles hold theirs only inside their own tenant. */
const GRANTS: Record<Exclude<Role, 'platform-admin'>, ReadonlySet<Permission>> = {
  'tenant-admin': new Set(TENANT_ADMIN),
  'tenant-viewer': new Set(VIEWER),
};

export function can(role: Role, permission: Permission): boolean {
  return role === 'platform-admin' || GRANTS[role].has(permission);
}

/**
 * The one authorization check. With a `tenantId`, a key of another tenant gets the same 404 a missing tenant gets
 * (isolation first, so a 403 never confirms that someone else's tenant exists); then a missing permission is 403.
 */
export function authorize(principal: Principal, permission: Permission, tenantId?: string): void {
  if (tenantId !== undefined && principal.tenantId !== null && principal.tenantId !== tenantId) {
    throw notFound('tenant', tenantId);
  }
  if (!can(principal.role, permission)) throw forbidden(permission);
}
