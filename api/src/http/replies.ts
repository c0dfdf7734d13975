import type { Created } from '../services/actor.js';
import { etagOf, type Reply } from './route.js';

export const ok = (body: unknown): Reply => ({ status: 200, body });

/** A single resource, with its ETag (the generation) when it has one. */
export const resource = (body: { generation?: number }, status = 200): Reply => ({
  status,
  body,
  ...(body.generation !== undefined && { headers: { etag: etagOf(body.generation) } }),
});

export const created = <T extends object>(result: Created<T & { generation?: number }>, location: string): Reply => ({
  status: result.status,
  body: result.body,
  headers: {
    location,
    ...(result.body.generation !== undefined && { etag: etagOf(result.body.generation) }),
    ...(result.replayed && { 'idempotent-replayed': 'true' }),
  },
});

export const noContent: Reply = { status: 204 };
