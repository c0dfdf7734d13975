import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AdminCode, AdminError } from './problem.js';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Requires `Authorization: Bearer <token>`. Both sides are hashed first so the comparison takes the same time whatever
 * the length or content of what was sent.
 */
export function requireBearer(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(req.get('authorization') ?? '');
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)) {
      next();
      return;
    }
    throw new AdminError(AdminCode.UNAUTHORIZED, 'a valid admin bearer token is required', {
      headers: { 'www-authenticate': 'Bearer realm="rocketry-admin"' },
    });
  };
}
