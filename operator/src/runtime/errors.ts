/**
 * Errors of the runtime. A reconciler that throws gets its key retried with exponential backoff; one that throws
 * `TerminalError` (a spec that can never work) is not retried until the object changes (STYLE.md §4).
 */

export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/** A Kubernetes API answer outside 2xx, with the `Status` reason the server gave (`Conflict`, `NotFound`...). */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly statusCode: number,
    readonly reason: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.statusCode === 404;
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.statusCode === 409;
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof KubeApiError && err.statusCode === 409 && err.reason === 'AlreadyExists';
