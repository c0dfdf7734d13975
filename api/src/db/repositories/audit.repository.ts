import { newId } from '../../domain/ids.js';
import type { AuditEventRow } from '../tables.js';
import type { Db, Tx } from '../transaction.js';

export interface AuditEntry {
  readonly tenantId: string | null;
  readonly actorKeyId: string;
  readonly actorRole: string;
  readonly action: string;
  readonly resource: string;
  readonly requestId: string;
  readonly before: unknown;
  readonly after: unknown;
}

export async function insertAuditEvent(trx: Tx, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_events')
    .values({
      id: newId('aud'),
      tenant_id: entry.tenantId,
      actor_key_id: entry.actorKeyId,
      actor_role: entry.actorRole,
      action: entry.action,
      resource: entry.resource,
      request_id: entry.requestId,
      before: entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
      after: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
    })
    .execute();
}

export async function listAuditEvents(
  db: Db,
  filter: { tenantId: string | undefined; after: string | undefined; limit: number },
): Promise<AuditEventRow[]> {
  let query = db.selectFrom('audit_events').selectAll();
  if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
}
