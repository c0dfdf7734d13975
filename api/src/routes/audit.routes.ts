import { ok } from '../http/replies.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { AuditEvent, AuditQuery } from '../schemas/audit.js';
import { pageOf } from '../schemas/common.js';
import type { Services } from './services.js';

export function auditRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/audit',
      operationId: 'listAuditEvents',
      summary:
        'The audit log, oldest first: everything for platform admins (or ?tenantId=), own tenant for tenant admins',
      tag: 'audit',
      query: AuditQuery,
      success: { status: 200, description: 'A page of audit events', schema: pageOf(AuditEvent) },
      errors: [403],
      handle: async ({ query, actor }) => ok(await s.audit.list(actor, query)),
    }),
  ];
}
