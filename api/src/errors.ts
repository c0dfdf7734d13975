/**
 * The API's one error class. `code` is the stable part of the contract: it names the problem type URI
 * (`${PROBLEM_BASE}/<code>`) and fixes the HTTP status. app.ts maps these to RFC 9457 answers in one place.
 */
export const PROBLEM_BASE = 'https://rocketry.dev/problems';

export const PROBLEMS = {
  'validation-failed': { status: 400, title: 'Request validation failed' },
  'malformed-json': { status: 400, title: 'Malformed JSON body' },
  'invalid-page-token': { status: 400, title: 'Invalid page token' },
  unauthenticated: { status: 401, title: 'Unauthenticated' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'already-exists': { status: 409, title: 'Already exists' },
  'quota-exceeded': { status: 409, title: 'Quota exceeded' },
  'conflict-state': { status: 409, title: 'Conflicting state' },
  'no-capacity': { status: 409, title: 'No cluster available' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'immutable-field': { status: 422, title: 'Field cannot change' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency key reused with another request' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** One invalid input: `pointer` (RFC 6901) into the body, or the name of a query or path `parameter`. */
export type ProblemItem = { pointer: string; detail: string } | { parameter: string; detail: string };

export interface ProblemExtras {
  readonly errors?: readonly ProblemItem[];
  readonly quota?: { readonly code: string; readonly limit: number; readonly usage: number };
  readonly headers?: Readonly<Record<string, string>>;
}

export class ApiError extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly extras: ProblemExtras = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }

  get status(): number {
    return PROBLEMS[this.code].status;
  }
}

/** The same answer for a missing resource and for another tenant's: nothing tells them apart. */
export const notFound = (kind: string, id: string) => new ApiError('not-found', `${kind} ${id} not found`);

export const forbidden = (permission: string) =>
  new ApiError('forbidden', `this API key's role does not grant ${permission}`);
