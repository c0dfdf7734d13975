import type { Logger } from 'pino';
import { Code, DataplaneError, StorageCorruptionError } from '../../lib/errors.js';
import type { WireStatus } from './wire.js';

/** `apache.rocketmq.v2.Code.OK`: success is not an error code, so it lives here rather than in lib/errors.ts. */
export const OK_STATUS: WireStatus = Object.freeze({ code: 20000, message: 'OK' });

/**
 * The one place errors become wire statuses. A DataplaneError keeps its code and message; anything else is a bug or
 * an environment failure: logged here, once, and answered as INTERNAL_SERVER_ERROR without internals.
 */
export function toStatus(err: unknown, log: Logger): WireStatus {
  if (err instanceof StorageCorruptionError) {
    log.error({ err }, 'request failed on corrupt storage');
    // The file and position are for the operator (in the log), not for clients.
    return { code: err.code, message: 'storage error on the broker; see its log' };
  }
  if (err instanceof DataplaneError) {
    if (err.code >= 50000) log.error({ err }, 'request failed');
    else log.debug({ code: err.code, reason: err.message }, 'request rejected');
    return { code: err.code, message: err.message };
  }
  log.error({ err }, 'request failed unexpectedly');
  return { code: Code.INTERNAL_SERVER_ERROR, message: 'internal error' };
}
