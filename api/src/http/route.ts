import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { Principal } from '../domain/roles.js';
import { ApiError, type ProblemItem } from '../errors.js';
import type { Actor, IdempotencyRequest } from '../services/actor.js';

/**
 * One route, declared once: its schemas validate the request here and describe it in openapi.ts. Handlers stay
 * thin: they get parsed input and the caller, call a service, and return a reply.
 */
export type Method = 'get' | 'post' | 'patch' | 'delete';

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly actor: Actor;
  /** Parsed `If-Match`: a generation, `*` (any), or undefined when absent. A malformed one matches nothing. */
  readonly ifMatch: number | '*' | 'invalid' | undefined;
  readonly idempotency: IdempotencyRequest | undefined;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  readonly method: Method;
  /** OpenAPI style: `/v1/tenants/{tenantId}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Public routes skip authentication (health, readiness, metrics, the OpenAPI document). */
  readonly public?: boolean;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly success: { readonly status: number; readonly description: string; readonly schema?: z.ZodType };
  /** Extra error statuses this route answers besides 400/401/404/500. */
  readonly errors?: readonly number[];
  readonly idempotent?: boolean;
  readonly conditional?: boolean;
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>, req: Request, res: Response): Promise<Reply>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds routes of every input type
export type AnyRoute = RouteSpec<any, any, any>;

export const defineRoute = <P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> => spec;

export const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** Per request, set by the authentication middleware (absent on public routes). */
export interface RequestState {
  principal?: Principal;
  requestId: string;
  /** The matched route's template, for metrics. */
  route?: string;
}
export const stateOf = (res: Response): RequestState => res.locals as RequestState;

export function mountRoute(router: Router, route: AnyRoute, authenticate: RequestHandler): void {
  const handlers: RequestHandler[] = [
    (_req, res, next) => {
      stateOf(res).route = route.path;
      next();
    },
  ];
  if (!route.public) handlers.push(authenticate);
  handlers.push(async (req, res) => {
    const state = stateOf(res);
    const params = route.params ? parsePath(route.params, req.params) : {};
    const query = route.query ? parse(route.query, req.query ?? {}, 'query') : {};
    let body: unknown;
    if (route.body) {
      if (req.body === undefined) {
        throw new ApiError('unsupported-media-type', 'this request needs a JSON body (Content-Type: application/json)');
      }
      body = parse(route.body, req.body, 'body');
    }
    const principal = state.principal as Principal;
    const idempotencyKey = req.get('idempotency-key');
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw new ApiError('validation-failed', 'Idempotency-Key must be 1-255 printable characters', {
        errors: [{ parameter: 'Idempotency-Key', detail: '1-255 printable characters' }],
      });
    }
    const reply = await route.handle(
      {
        params,
        query,
        body,
        actor: { principal, requestId: state.requestId },
        ifMatch: parseIfMatch(req.get('if-match')),
        idempotency:
          route.idempotent && idempotencyKey !== undefined
            ? { key: idempotencyKey, fingerprint: fingerprint(req.method, req.path, req.body) }
            : undefined,
      },
      req,
      res,
    );
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    if (reply.body === undefined) res.status(reply.status).end();
    else res.status(reply.status).json(reply.body);
  });
  router[route.method](expressPath(route.path), ...handlers);
}

/** A path that cannot name anything names nothing: 404, the same as an id that does not exist. */
function parsePath(schema: z.ZodType, value: unknown): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const values = Object.values(value as Record<string, string>);
  throw new ApiError('not-found', `no resource at ${values.join('/')}`);
}

export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query'): z.output<S> {
  const nul = findNul(value, '');
  if (nul !== undefined) {
    // Postgres text and jsonb cannot hold U+0000: refuse it here rather than fail in the database.
    const item =
      where === 'body'
        ? { pointer: nul || '/', detail: 'contains U+0000' }
        : { parameter: nul.slice(1), detail: 'contains U+0000' };
    throw new ApiError('validation-failed', `invalid ${where}: a string contains U+0000`, { errors: [item] });
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors: ProblemItem[] = parsed.error.issues.flatMap((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => {
      const path = [...issue.path.map(String), ...(key === undefined ? [] : [key])];
      const detail = key === undefined ? issue.message : 'unknown field';
      return where === 'body'
        ? { pointer: `/${path.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`, detail }
        : { parameter: path.join('.'), detail };
    });
  });
  const first = errors[0];
  const at = first && ('pointer' in first ? first.pointer : first.parameter);
  throw new ApiError('validation-failed', `invalid ${where}${at ? ` at ${at || '/'}` : ''}: ${first?.detail}`, {
    errors,
  });
}

export function parseIfMatch(header: string | undefined): RouteInput<unknown, unknown, unknown>['ifMatch'] {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const match = /^"(\d{1,9})"$/.exec(value);
  return match ? Number(match[1]) : 'invalid';
}

export const etagOf = (generation: number) => `"${generation}"`;

function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('base64url');
}

/** The JSON pointer of the first string (value or key) holding U+0000, if any. */
function findNul(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const path = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (key.includes('\u0000')) return path;
    const found = findNul(child, path);
    if (found !== undefined) return found;
  }
  return undefined;
}
