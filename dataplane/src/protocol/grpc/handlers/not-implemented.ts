import { Code } from '../../../lib/errors.js';
import type { StatusResponse, WireStatus } from '../wire.js';

const status = (rpc: string): WireStatus => ({ code: Code.NOT_IMPLEMENTED, message: `${rpc} is not implemented yet` });

/**
 * RPCs of issue 3 still to come answer in-band, never with a gRPC error: the client maps 50100 to
 * UnsupportedException, and a status (unlike a missing one) is never mistaken for success.
 */
export function notImplementedUnary(rpc: string) {
  return async (): Promise<StatusResponse> => ({ status: status(rpc) });
}

/** Server-streaming variant: exactly one status frame, then the end of the stream (PROTOCOL.md §5 ReceiveMessage). */
export function notImplementedStream(rpc: string): { status: WireStatus } {
  return { status: status(rpc) };
}
