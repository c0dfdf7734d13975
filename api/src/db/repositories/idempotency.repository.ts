import type { Db, Tx } from '../transaction.js';

export interface StoredResponse {
  readonly requestHash: string;
  readonly status: number;
  readonly body: unknown;
}

/**
 * Claims `(scope, key)` inside the caller's transaction. A concurrent claim of the same key waits on the unique index
 * until the first transaction ends: then it sees the stored response (committed) or claims the key itself (rolled
 * back). Returns the stored response when the key was used before, undefined when this transaction owns it now.
 */
export async function claimIdempotencyKey(
  trx: Tx,
  claim: { scope: string; key: string; method: string; path: string; requestHash: string },
): Promise<StoredResponse | undefined> {
  const inserted = await trx
    .insertInto('idempotency_keys')
    .values({
      scope: claim.scope,
      key: claim.key,
      method: claim.method,
      path: claim.path,
      request_hash: claim.requestHash,
      response_status: 0,
      response_body: 'null',
    })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return undefined;
  const row = await trx
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'response_status', 'response_body'])
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .executeTakeFirstOrThrow();
  return { requestHash: row.request_hash, status: row.response_status, body: row.response_body };
}

export async function storeIdempotentResponse(
  trx: Db | Tx,
  at: { scope: string; key: string },
  response: { status: number; body: unknown },
): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ response_status: response.status, response_body: JSON.stringify(response.body) })
    .where('scope', '=', at.scope)
    .where('key', '=', at.key)
    .execute();
}

/** Forgets keys claimed before `cutoff` (a repeat after that runs as a new request). Returns how many went. */
export async function deleteIdempotencyKeysBefore(db: Db, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
