import type { ServerWritableStream } from '@grpc/grpc-js';
import type { RpcContext } from './handlers/rpc-context.js';
import { toStatus } from './status.js';
import type { WireStatus } from './wire.js';

/** What a server-streaming handler knows of its call besides the request. */
export interface StreamCall {
  /** Aborted when the client cancels or its deadline passes: stop waiting, nothing more will be written. */
  readonly signal: AbortSignal;
  /** The client's deadline, epoch ms; Infinity when it set none. */
  readonly deadlineMs: number;
}

/** A server-streaming RPC: the frames of the whole answer, in order (the first carries the status). */
export type StreamHandler<Req, Frame> = (req: Req, ctx: RpcContext, call: StreamCall) => Promise<Frame[]>;

/**
 * Runs one server-streaming call on grpc-js: writes the handler's frames and ends the call with gRPC OK; a thrown
 * error becomes a single status frame (problems go in-band, PROTOCOL.md §6). Nothing is written once the call was
 * cancelled. `observe` gets the answer's status code and the call's latency.
 */
export function serveStream<Req, Frame extends { status?: WireStatus }>(
  call: ServerWritableStream<Req, Frame>,
  ctx: RpcContext,
  handle: StreamHandler<Req, Frame>,
  observe: (code: number, latencyMs: number) => void,
): void {
  const started = performance.now();
  const abort = new AbortController();
  const cancel = () => abort.abort();
  call.on('cancelled', cancel);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  handle(call.request, ctx, { signal: abort.signal, deadlineMs })
    .catch((err: unknown) => [{ status: toStatus(err, ctx.log) } as Frame])
    .then((frames) => {
      call.off('cancelled', cancel);
      observe(frames[0]?.status?.code ?? 0, performance.now() - started);
      if (call.cancelled || call.writableEnded) return;
      for (const frame of frames) call.write(frame);
      call.end();
    })
    .catch((err: unknown) => ctx.log.debug({ err }, 'stream answer not written'));
}
