import { ApiError } from '../errors.js';

/**
 * Keyset pagination: a page token is base64url JSON of the last sort key returned (`{"after": "<id or name>"}`).
 * Forging one only moves the start of a listing the caller may read anyway; queries stay scoped by tenant.
 */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function encodePageToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): string {
  try {
    if (!/^[A-Za-z0-9_-]{1,1024}$/.test(token)) throw new Error('not base64url');
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const after = (parsed as { after?: unknown } | null)?.after;
    if (typeof after === 'string' && after.length > 0 && after.length <= 256) return after;
  } catch {
    // answered below
  }
  throw new ApiError('invalid-page-token', 'pageToken is not a token this API returned', {
    errors: [{ parameter: 'pageToken', detail: 'not a token this API returned' }],
  });
}

export interface Page<T> {
  readonly data: T[];
  readonly nextPageToken: string | null;
}

/** Rows fetched with `limit pageSize + 1` → the page and the token of the next one when there is more. */
export function toPage<R, T>(
  rows: readonly R[],
  pageSize: number,
  key: (row: R) => string,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > pageSize;
  const pageRows = more ? rows.slice(0, pageSize) : rows;
  const last = pageRows[pageRows.length - 1];
  return { data: pageRows.map(map), nextPageToken: more && last !== undefined ? encodePageToken(key(last)) : null };
}
