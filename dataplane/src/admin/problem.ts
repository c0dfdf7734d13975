import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { Code, DataplaneError } from '../lib/errors.js';

/**
 * Codes only the admin API raises. They follow the dataplane's rule (first three digits are the HTTP status);
 * UNAUTHORIZED is rocketmq-apis' own code, the others have no equivalent there.
 * TODO(#3): move UNAUTHORIZED and CONFLICT into lib/errors.ts `Code` and fold AdminError into DataplaneError.
 */
export const AdminCode = {
  UNAUTHORIZED: 40100,
  METHOD_NOT_ALLOWED: 40500,
  CONFLICT: 40900,
  UNSUPPORTED_MEDIA_TYPE: 41500,
} as const;
export type AdminCode = (typeof AdminCode)[keyof typeof AdminCode];

/** One invalid input field: `pointer` (RFC 6901) into the JSON body, or the name of a query `parameter`. */
export type ProblemItem = { pointer: string; detail: string } | { parameter: string; detail: string };

/** An admin request that cannot proceed for a reason the dataplane's codes do not cover. */
export class AdminError extends Error {
  constructor(
    readonly code: AdminCode | Code,
    message: string,
    readonly extra: { errors?: readonly ProblemItem[]; headers?: Readonly<Record<string, string>> } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AdminError';
  }
}

/** RFC 9457 problem details plus the dataplane `code` extension. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: number;
  readonly instance?: string;
  readonly errors?: readonly ProblemItem[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `schema.parse(value)`, with failures as a 400 problem that lists each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors: ProblemItem[] = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String);
    return where === 'body'
      ? {
          pointer: `#/${path.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`,
          detail: issue.message,
        }
      : { parameter: path.join('.'), detail: issue.message };
  });
  const first = errors[0];
  const at = first && ('pointer' in first ? first.pointer : first.parameter);
  return fail(Code.BAD_REQUEST, `invalid ${where}${at ? ` at ${at}` : ''}: ${first?.detail ?? 'rejected'}`, {
    errors,
  });
}

function fail(code: Code, message: string, extra: AdminError['extra']): never {
  throw new AdminError(code, message, extra);
}

/** Bodies are JSON only: anything else is 415, before parsing. */
export function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new AdminError(AdminCode.UNSUPPORTED_MEDIA_TYPE, 'the request body must be application/json');
  }
}

/** Every path nothing else answered. */
export const notFound: RequestHandler = (req) => {
  throw new AdminError(Code.NOT_FOUND, `no route ${req.method} ${req.path}`);
};

/** For `router.route(path).all(...)` after its methods: 405 naming the allowed ones. */
export function methodNotAllowed(...allowed: string[]): RequestHandler {
  return (req) => {
    throw new AdminError(AdminCode.METHOD_NOT_ALLOWED, `${req.method} is not allowed on ${req.path}`, {
      headers: { allow: allowed.join(', ') },
    });
  };
}

/**
 * The one place errors become HTTP answers. Client mistakes keep their 4xx status (body-parser's and the router's
 * errors carry one); anything else is logged here, once, and answers 500 without internals.
 */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const problem = toProblem(err, req.originalUrl);
    if (problem.status >= 500) log.error({ err, method: req.method, path: req.path }, 'admin request failed');
    else
      log.debug(
        { method: req.method, path: req.path, status: problem.status, code: problem.code },
        'admin request rejected',
      );
    if (res.headersSent) {
      res.destroy(); // a streamed answer failed midway: cut it rather than append a problem to it
      return;
    }
    if (err instanceof AdminError) {
      for (const [name, value] of Object.entries(err.extra.headers ?? {})) res.setHeader(name, value);
    }
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  };
}

export function toProblem(err: unknown, instance?: string): Problem {
  if (err instanceof AdminError || err instanceof DataplaneError) {
    return problem(err.code, err.message, instance, err instanceof AdminError ? err.extra.errors : undefined);
  }
  const status = httpStatusOf(err);
  if (status !== undefined && status >= 400 && status < 500) {
    return problem(status * 100, clientErrorDetail(err, status), instance);
  }
  return problem(Code.INTERNAL_SERVER_ERROR, 'internal error', instance);
}

function problem(code: number, detail: string, instance?: string, errors?: readonly ProblemItem[]): Problem {
  const status = Math.trunc(code / 100);
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance !== undefined && { instance }),
    ...(errors !== undefined && { errors }),
  };
}

/** `status` as http-errors (body-parser) and the router set it. */
function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status =
    (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

/** body-parser's error `type`s are its stable contract; messages are not. */
const BODY_ERRORS: Readonly<Record<string, string>> = {
  'entity.parse.failed': 'request body is not valid JSON',
  'entity.too.large': 'request body is too large',
  'encoding.unsupported': 'request body encoding is not supported',
  'charset.unsupported': 'request body charset is not supported',
  'request.aborted': 'request body was aborted',
  'request.size.invalid': 'request body size does not match content-length',
};

function clientErrorDetail(err: unknown, status: number): string {
  const type = (err as { type?: unknown }).type;
  if (typeof type === 'string' && Object.hasOwn(BODY_ERRORS, type)) return BODY_ERRORS[type] as string;
  return STATUS_CODES[status] ?? 'bad request';
}
