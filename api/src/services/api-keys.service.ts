import { sql } from 'kysely';
import type { ApiKeyRow } from '../db/tables.js';
import { type Db, inTransaction, type Tx } from '../db/transaction.js';
import { newToken, tokenHmac } from '../domain/api-key-token.js';
import { newId } from '../domain/ids.js';
import { decodePageToken, type Page, toPage } from '../domain/page-token.js';
import { authorize, type Principal, type Role } from '../domain/roles.js';
import { notFound } from '../errors.js';
import type { ApiKey } from '../schemas/api-keys.js';
import type { ListQuery } from '../schemas/common.js';
import type { Actor, Created, IdempotencyRequest } from './actor.js';
import { audit, createInTransaction, iso } from './changes.js';
import type { TenantService } from './tenants.service.js';

/** Advisory lock id held while the bootstrap key is considered. */
const BOOTSTRAP_LOCK = 726_001;

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    tenantId: row.tenant_id,
    createdAt: iso(row.created_at),
    revokedAt: row.revoked_at === null ? null : iso(row.revoked_at),
  };
}

/**
 * API keys: platform-admin keys (no tenant) and tenant keys. The token is returned once, at creation; only its HMAC
 * is stored. Revoking is immediate: every request looks its key up.
 */
export class ApiKeyService {
  constructor(
    private readonly db: Db,
    private readonly pepper: string,
    private readonly tenants: TenantService,
  ) {}

  /** The principal of a bearer token, or undefined for an unknown or revoked one. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'role', 'tenant_id'])
      .where('secret_hmac', '=', tokenHmac(this.pepper, token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && { keyId: row.id, role: row.role as Role, tenantId: row.tenant_id };
  }

  /** On first start: the operator's chosen token becomes a platform admin key, when there is no key at all. */
  async bootstrap(token: string): Promise<'created' | 'skipped'> {
    return inTransaction(this.db, async (trx) => {
      // Serialises concurrent first starts against each other on the same database.
      await sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.execute(trx);
      const any = await trx.selectFrom('api_keys').select('id').limit(1).executeTakeFirst();
      if (any) return 'skipped';
      const id = newId('key');
      await trx
        .insertInto('api_keys')
        .values({
          id,
          tenant_id: null,
          role: 'platform-admin',
          name: 'bootstrap',
          secret_hmac: tokenHmac(this.pepper, token),
          created_by: null,
        })
        .execute();
      await audit(
        trx,
        { principal: { keyId: id, role: 'platform-admin', tenantId: null }, requestId: 'bootstrap' },
        {
          tenantId: null,
          action: 'api-key.bootstrap',
          resource: `/v1/api-keys/${id}`,
          before: null,
          after: { id, role: 'platform-admin', name: 'bootstrap' },
        },
      );
      return 'created';
    });
  }

  async create(
    actor: Actor,
    scope: { tenantId: string | null },
    input: { name: string; role: Role },
    idempotency?: IdempotencyRequest,
  ): Promise<Created<ApiKey & { secret: string }>> {
    if (scope.tenantId === null) authorize(actor.principal, 'platform-keys:write');
    else {
      authorize(actor.principal, 'api-keys:write', scope.tenantId);
      await this.tenants.require(scope.tenantId);
    }
    const path = scope.tenantId === null ? '/v1/api-keys' : `/v1/tenants/${scope.tenantId}/api-keys`;
    return createInTransaction(this.db, actor, idempotency, { method: 'POST', path }, async (trx) => {
      const secret = newToken();
      const row = await trx
        .insertInto('api_keys')
        .values({
          id: newId('key'),
          tenant_id: scope.tenantId,
          role: input.role,
          name: input.name,
          secret_hmac: tokenHmac(this.pepper, secret),
          created_by: actor.principal.keyId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const key = toApiKey(row);
      await audit(trx, actor, {
        tenantId: scope.tenantId,
        action: 'api-key.create',
        resource: `${path}/${row.id}`,
        before: null,
        after: key,
      });
      return { ...key, secret };
    });
  }

  async list(actor: Actor, scope: { tenantId: string | null }, query: ListQuery): Promise<Page<ApiKey>> {
    await this.authorizeRead(actor, scope);
    const after = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken);
    let q = this.db.selectFrom('api_keys').selectAll();
    q = scope.tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', scope.tenantId);
    if (after !== undefined) q = q.where('id', '>', after);
    const rows = await q
      .orderBy('id')
      .limit(query.pageSize + 1)
      .execute();
    return toPage(rows, query.pageSize, (r) => r.id, toApiKey);
  }

  async get(actor: Actor, scope: { tenantId: string | null }, keyId: string): Promise<ApiKey> {
    await this.authorizeRead(actor, scope);
    return toApiKey(await this.find(this.db, scope, keyId));
  }

  /** Revokes (keeps the row for the audit trail); revoking twice is a no-op answering the same. */
  async revoke(actor: Actor, scope: { tenantId: string | null }, keyId: string): Promise<ApiKey> {
    if (scope.tenantId === null) authorize(actor.principal, 'platform-keys:write');
    else authorize(actor.principal, 'api-keys:write', scope.tenantId);
    return inTransaction(this.db, async (trx) => {
      const before = await this.find(trx, scope, keyId);
      if (before.revoked_at !== null) return toApiKey(before);
      const row = await trx
        .updateTable('api_keys')
        .set({ revoked_at: new Date() })
        .where('id', '=', keyId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const key = toApiKey(row);
      const path = scope.tenantId === null ? '/v1/api-keys' : `/v1/tenants/${scope.tenantId}/api-keys`;
      await audit(trx, actor, {
        tenantId: scope.tenantId,
        action: 'api-key.revoke',
        resource: `${path}/${keyId}`,
        before: toApiKey(before),
        after: key,
      });
      return key;
    });
  }

  private async authorizeRead(actor: Actor, scope: { tenantId: string | null }): Promise<void> {
    if (scope.tenantId === null) authorize(actor.principal, 'platform-keys:read');
    else {
      authorize(actor.principal, 'api-keys:read', scope.tenantId);
      await this.tenants.require(scope.tenantId);
    }
  }

  private async find(db: Db | Tx, scope: { tenantId: string | null }, keyId: string): Promise<ApiKeyRow> {
    let q = db.selectFrom('api_keys').selectAll().where('id', '=', keyId);
    q = scope.tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', scope.tenantId);
    const row = await q.executeTakeFirst();
    if (!row) throw notFound('API key', keyId);
    return row;
  }
}
