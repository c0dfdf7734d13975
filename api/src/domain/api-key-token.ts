import { createHmac, randomBytes } from 'node:crypto';

/**
 * API key tokens: `rky_` + 32 random bytes in base64url (256 bits, so a fast keyed hash is enough; a slow password
 * hash would add latency to every request without adding security). Only HMAC-SHA256(pepper, token) is stored and
 * looked up; the bootstrap key, which an operator chooses, is hashed the same way.
 */
export const TOKEN_PREFIX = 'rky_';

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function tokenHmac(pepper: string, token: string): string {
  return createHmac('sha256', pepper).update(token, 'utf8').digest('base64url');
}

/** `Authorization: Bearer <token>` → the token, or undefined when the header is missing or not a bearer token. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ ]+([\x21-\x7e]{1,512})[ ]*$/i.exec(header);
  return match?.[1];
}
