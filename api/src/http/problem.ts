import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ApiError, PROBLEM_BASE, PROBLEMS, type ProblemCode, type ProblemItem } from '../errors.js';
import { stateOf } from './route.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly requestId: string;
  readonly errors?: readonly ProblemItem[];
  readonly quota?: { code: string; limit: number; usage: number };
}

/** body-parser's error `type`s are its stable contract (messages are not): each maps to a problem of ours. */
const BODY_ERRORS: Readonly<Record<string, { code: ProblemCode; detail: string }>> = {
  'entity.parse.failed': { code: 'malformed-json', detail: 'the request body is not valid JSON' },
  'entity.too.large': { code: 'payload-too-large', detail: 'the request body is too large' },
  'encoding.unsupported': { code: 'unsupported-media-type', detail: 'the request body encoding is not supported' },
  'charset.unsupported': { code: 'unsupported-media-type', detail: 'the request body charset is not supported' },
  'request.aborted': { code: 'validation-failed', detail: 'the request body was aborted' },
  'request.size.invalid': { code: 'validation-failed', detail: 'the request body size does not match Content-Length' },
};

/** Any error → our error: ours as they are, body-parser's by type, other 4xx as a validation failure, else 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const type = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && Object.hasOwn(BODY_ERRORS, type)) {
    const known = BODY_ERRORS[type] as { code: ProblemCode; detail: string };
    return new ApiError(known.code, known.detail, {}, { cause: err });
  }
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError('validation-failed', 'the request cannot be processed', {}, { cause: err });
  }
  return new ApiError('internal', 'internal error', {}, { cause: err });
}

export function problemOf(error: ApiError, req: Request, requestId: string): Problem {
  const { status, title } = PROBLEMS[error.code];
  return {
    type: `${PROBLEM_BASE}/${error.code}`,
    title,
    status,
    detail: error.message,
    instance: req.originalUrl.split('?')[0] ?? req.path,
    requestId,
    ...(error.extras.errors !== undefined && { errors: error.extras.errors }),
    ...(error.extras.quota !== undefined && { quota: error.extras.quota }),
  };
}

/** The one place errors become HTTP answers; unknown errors are logged here, once, and answer 500 without internals. */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const error = toApiError(err);
    const { requestId } = stateOf(res);
    if (error.status >= 500) log.error({ err, method: req.method, path: req.path, requestId }, 'request failed');
    else log.debug({ method: req.method, path: req.path, code: error.code, requestId }, 'request rejected');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [name, value] of Object.entries(error.extras.headers ?? {})) res.setHeader(name, value);
    if (error.code === 'unauthenticated') res.setHeader('www-authenticate', 'Bearer realm="rocketry"');
    res
      .status(error.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problemOf(error, req, requestId)));
  };
}

export const notFoundRoute: RequestHandler = (req) => {
  throw new ApiError('not-found', `no route ${req.method} ${req.path}`);
};

export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (req) => {
    throw new ApiError('method-not-allowed', `${req.method} is not allowed here`, {
      headers: { allow: allowed.join(', ') },
    });
  };
}
