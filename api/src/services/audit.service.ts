import { listAuditEvents } from '../db/repositories/audit.repository.js';
import type { AuditEventRow } from '../db/tables.js';
import type { Db } from '../db/transaction.js';
import { decodePageToken, type Page, toPage } from '../domain/page-token.js';
import { authorize } from '../domain/roles.js';
import type { AuditEvent, AuditQuery } from '../schemas/audit.js';
import type { Actor } from './actor.js';
import { iso } from './changes.js';

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    time: iso(row.time),
    tenantId: row.tenant_id,
    actor: { keyId: row.actor_key_id, role: row.actor_role },
    action: row.action,
    resource: row.resource,
    requestId: row.request_id,
    before: row.before ?? null,
    after: row.after ?? null,
  };
}

/** The audit log: platform admins read all of it (or one tenant's); tenant admins their own tenant's only. */
export class AuditService {
  constructor(private readonly db: Db) {}

  async list(actor: Actor, query: AuditQuery): Promise<Page<AuditEvent>> {
    const own = actor.principal.tenantId;
    authorize(actor.principal, 'audit:read', query.tenantId ?? own ?? undefined);
    const after = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken);
    const rows = await listAuditEvents(this.db, { tenantId: own ?? query.tenantId, after, limit: query.pageSize + 1 });
    return toPage(rows, query.pageSize, (r) => r.id, toAuditEvent);
  }
}
