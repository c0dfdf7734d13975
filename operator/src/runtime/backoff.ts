/** Exponential backoff with full jitter off (deterministic): `initialMs * 2^failures`, capped at `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const backoffMs = (b: Backoff, failures: number): number =>
  Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, Math.min(failures, 30)));

/** A timer that an `AbortSignal` cuts short (for loops outside reconciles: informers, leader election). */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
