import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { authorize, can, type Principal } from './roles.js';

const platform: Principal = { keyId: 'k0', role: 'platform-admin', tenantId: null };
const admin: Principal = { keyId: 'k1', role: 'tenant-admin', tenantId: 'ten_a' };
const viewer: Principal = { keyId: 'k2', role: 'tenant-viewer', tenantId: 'ten_a' };

const codeOf = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof ApiError ? err.code : 'other';
  }
};

describe('authorize', () => {
  it('lets platform admins do anything in any tenant', () => {
    expect(codeOf(() => authorize(platform, 'tenants:delete', 'ten_b'))).toBe('ok');
    expect(codeOf(() => authorize(platform, 'clusters:write'))).toBe('ok');
  });

  it("answers not-found for another tenant's id before looking at the permission", () => {
    expect(codeOf(() => authorize(viewer, 'topics:write', 'ten_b'))).toBe('not-found');
    expect(codeOf(() => authorize(admin, 'topics:read', 'ten_b'))).toBe('not-found');
  });

  it('answers forbidden only for a permission the role lacks in its own tenant', () => {
    expect(codeOf(() => authorize(viewer, 'topics:write', 'ten_a'))).toBe('forbidden');
    expect(codeOf(() => authorize(viewer, 'topics:read', 'ten_a'))).toBe('ok');
    expect(codeOf(() => authorize(admin, 'topics:write', 'ten_a'))).toBe('ok');
    expect(codeOf(() => authorize(admin, 'tenants:delete', 'ten_a'))).toBe('forbidden');
    expect(codeOf(() => authorize(admin, 'clusters:write'))).toBe('forbidden');
  });

  it('keeps platform-only permissions away from tenant roles', () => {
    for (const p of [
      'tenants:create',
      'tenants:list',
      'clusters:write',
      'quotas:update',
      'platform-keys:write',
    ] as const) {
      expect(can('tenant-admin', p)).toBe(false);
      expect(can('tenant-viewer', p)).toBe(false);
    }
  });
});
