import type { Principal } from '../domain/roles.js';

/** Who makes a change and in which request: what authorization and the audit log need. */
export interface Actor {
  readonly principal: Principal;
  readonly requestId: string;
}

/** A create carrying `Idempotency-Key`: the key and a hash of method, path and body. */
export interface IdempotencyRequest {
  readonly key: string;
  readonly fingerprint: string;
}

/** What a create answers; `replayed` when an earlier request with the same key made it. */
export interface Created<T> {
  readonly status: number;
  readonly body: T;
  readonly replayed: boolean;
}
