import { type AuditEntry, insertAuditEvent } from '../db/repositories/audit.repository.js';
import { claimIdempotencyKey, storeIdempotentResponse } from '../db/repositories/idempotency.repository.js';
import { type Db, inTransaction, sqlState, type Tx, UNIQUE_VIOLATION } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import type { Actor, Created, IdempotencyRequest } from './actor.js';

/**
 * How every change is written: in one transaction with its audit record, and for creates with `Idempotency-Key`,
 * with the key's claim and the response to replay.
 */
export function audit(
  trx: Tx,
  actor: Actor,
  change: Pick<AuditEntry, 'tenantId' | 'action' | 'resource' | 'before' | 'after'>,
): Promise<void> {
  return insertAuditEvent(trx, {
    ...change,
    actorKeyId: actor.principal.keyId,
    actorRole: actor.principal.role,
    requestId: actor.requestId,
  });
}

/**
 * Runs a create in a transaction. With an idempotency key: a repeat of the same request (same method, path and
 * body) gets the first response again, a different request under the same key 422, and concurrent repeats wait for
 * the first and replay it. Failed creates store nothing, so a retry after an error runs again.
 */
export async function createInTransaction<T>(
  db: Db,
  actor: Actor,
  idempotency: IdempotencyRequest | undefined,
  where: { method: string; path: string },
  create: (trx: Tx) => Promise<T>,
  onUniqueViolation?: () => ApiError,
): Promise<Created<T>> {
  try {
    return await inTransaction(db, async (trx) => {
      const at = { scope: actor.principal.keyId, key: idempotency?.key ?? '' };
      if (idempotency) {
        const stored = await claimIdempotencyKey(trx, { ...at, ...where, requestHash: idempotency.fingerprint });
        if (stored) {
          if (stored.requestHash !== idempotency.fingerprint) {
            throw new ApiError('idempotency-key-reused', 'this Idempotency-Key was used for a different request');
          }
          return { status: stored.status, body: stored.body as T, replayed: true };
        }
      }
      const body = await create(trx);
      if (idempotency) await storeIdempotentResponse(trx, at, { status: 201, body });
      return { status: 201, body, replayed: false };
    });
  } catch (err) {
    if (onUniqueViolation && sqlState(err) === UNIQUE_VIOLATION) throw onUniqueViolation();
    throw err;
  }
}

/**
 * After a create's data-plane step: the response to replay for its idempotency key becomes the final one, so a
 * repeat sees the status the first caller saw.
 */
export async function updateIdempotentResponse(
  db: Db,
  actor: Actor,
  idempotency: IdempotencyRequest | undefined,
  body: unknown,
): Promise<void> {
  if (!idempotency) return;
  await storeIdempotentResponse(db, { scope: actor.principal.keyId, key: idempotency.key }, { status: 201, body });
}

/** `If-Match` against the stored generation: absent or `*` passes, anything else must equal it. */
export function assertGeneration(ifMatch: number | '*' | 'invalid' | undefined, generation: number): void {
  if (ifMatch === undefined || ifMatch === '*' || ifMatch === generation) return;
  throw new ApiError('precondition-failed', `If-Match does not match the current ETag "${generation}"`);
}

export const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
