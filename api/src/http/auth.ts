import type { RequestHandler } from 'express';
import { bearerToken } from '../domain/api-key-token.js';
import type { Principal } from '../domain/roles.js';
import { ApiError } from '../errors.js';
import { stateOf } from './route.js';

/** `Authorization: Bearer <token>` → the caller, or 401 (the same answer for missing, unknown and revoked keys). */
export function authenticate(lookup: (token: string) => Promise<Principal | undefined>): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.get('authorization'));
    const principal = token === undefined ? undefined : await lookup(token);
    if (!principal) throw new ApiError('unauthenticated', 'a valid API key is required (Authorization: Bearer <key>)');
    stateOf(res).principal = principal;
    next();
  };
}
