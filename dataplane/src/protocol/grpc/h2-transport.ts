import {
  constants,
  createServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { RpcContext } from './handlers/rpc-context.js';
import type { TelemetryPeer, TelemetrySession } from './handlers/telemetry.js';
import type { StreamCall } from './server-stream.js';
import { toStatus } from './status.js';
import type { StatusResponse, TelemetryCommand, WireStatus } from './wire.js';

/** One RPC, independent of the transport that serves it. */
export type Rpc =
  | { readonly kind: 'unary'; readonly handle: (req: never, ctx: RpcContext) => Promise<StatusResponse> }
  | {
      readonly kind: 'stream';
      readonly handle: (req: never, ctx: RpcContext, call: StreamCall) => Promise<{ status?: WireStatus }[]>;
    }
  | { readonly kind: 'bidi'; readonly open: (ctx: RpcContext, peer: TelemetryPeer) => TelemetrySession };

export interface H2TransportOptions {
  readonly service: ServiceDefinition;
  readonly rpcs: Readonly<Record<string, Rpc>>;
  readonly host: string;
  readonly port: number;
  readonly maxReceiveBytes: number;
  readonly log: Logger;
  readonly context: (rpc: string, clientId: string) => RpcContext;
  readonly observe: (rpc: string, code: number, latencyMs: number) => void;
}

export interface H2Transport {
  readonly port: number;
  close(graceMs: number): Promise<void>;
}

/** gRPC status codes this transport answers with itself (transport-level problems, not RocketMQ statuses). */
const GRPC = { OK: 0, CANCELLED: 1, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13 } as const;
const PATH_PREFIX = '/apache.rocketmq.v2.MessagingService/';

/**
 * A minimal gRPC server on `node:http2` (research/GRPC_CEILING.md: 1.5-2× grpc-js for batched calls, several times
 * for streamed deliveries): length-prefixed protobuf messages, no compression, `grpc-timeout` deadlines, cancellation
 * by stream reset, trailers-only answers for transport errors. The RPC handlers are the same as on grpc-js.
 */
export async function startH2Transport(options: H2TransportOptions): Promise<H2Transport> {
  const sessions = new Set<Http2Session>();
  const server: Http2Server = createServer({
    settings: { maxConcurrentStreams: 10_000, initialWindowSize: 1 << 20 },
    maxSessionMemory: 64,
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    try {
      serve(options, stream, headers);
    } catch (err) {
      options.log.error({ err }, 'h2 stream failed');
      trailersOnly(stream, GRPC.INTERNAL, 'internal error');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          for (const s of sessions) s.destroy();
        }, graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        for (const s of sessions) s.close();
      }),
  };
}

function serve(options: H2TransportOptions, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): undefined {
  stream.on('error', () => {});
  const path = String(headers[constants.HTTP2_HEADER_PATH] ?? '');
  const name = path.startsWith(PATH_PREFIX) ? path.slice(PATH_PREFIX.length) : '';
  const rpc = options.rpcs[name];
  const method = options.service[name] as MethodDefinition<unknown, unknown> | undefined;
  if (!rpc || !method) return trailersOnly(stream, GRPC.UNIMPLEMENTED, `unknown method ${path}`);
  if (headers['grpc-encoding'] && headers['grpc-encoding'] !== 'identity') {
    return trailersOnly(stream, GRPC.UNIMPLEMENTED, `compression ${headers['grpc-encoding']} is not supported`);
  }
  const clientId = String(headers['x-mq-client-id'] ?? '');
  const ctx = options.context(name, clientId);
  const deadlineMs = deadlineOf(headers['grpc-timeout']);
  const frames = new FrameReader(options.maxReceiveBytes);
  const started = performance.now();

  if (rpc.kind === 'bidi') {
    let headersSent = false;
    const send = (message: unknown) => {
      if (stream.destroyed || stream.closed || !stream.writable) return;
      if (!headersSent) {
        headersSent = true;
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GRPC.OK) }));
      }
      stream.write(frame(method.responseSerialize(message)));
    };
    const session = rpc.open(ctx, {
      send: (command: TelemetryCommand) => send(command),
      end: () => {
        if (stream.destroyed || stream.closed) return;
        if (!headersSent) return trailersOnly(stream, GRPC.OK, '');
        stream.end();
      },
    });
    stream.on('data', (chunk: Buffer) => {
      const got = frames.push(chunk);
      if (got.kind === 'error') {
        session.onClose();
        return trailersOnly(stream, got.code, got.message);
      }
      for (const bytes of got.messages) session.onCommand(method.requestDeserialize(bytes) as TelemetryCommand);
    });
    stream.on('end', () => session.onEnd());
    stream.on('close', () => session.onClose());
    return;
  }

  // Only streamed calls (long polls) watch for cancellation; an AbortController per unary call showed in profiles.
  let abort: AbortController | undefined;
  let answered = false;
  if (rpc.kind === 'stream') {
    const controller = new AbortController();
    abort = controller;
    stream.on('close', () => {
      if (!answered) controller.abort();
    });
  }
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    const got = frames.push(Buffer.concat(chunks));
    if (got.kind === 'error') return trailersOnly(stream, got.code, got.message);
    if (got.messages.length !== 1 || frames.pending) {
      return trailersOnly(stream, GRPC.INTERNAL, 'a unary or server-streaming call carries exactly one message');
    }
    let request: unknown;
    try {
      request = method.requestDeserialize(got.messages[0] as Buffer);
    } catch {
      return trailersOnly(stream, GRPC.INTERNAL, 'Error deserializing request');
    }
    const answer: Promise<{ status?: WireStatus }[]> =
      rpc.kind === 'unary'
        ? rpc.handle(request as never, ctx).then((response) => [response])
        : rpc.handle(request as never, ctx, { signal: (abort as AbortController).signal, deadlineMs });
    answer
      .catch((err: unknown) => [{ status: toStatus(err, ctx.log) }])
      .then((messages) => {
        answered = true;
        options.observe(name, messages[0]?.status?.code ?? 0, performance.now() - started);
        if (stream.destroyed || stream.closed) return;
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GRPC.OK) }));
        // The whole answer in one write: one DATA sequence instead of one write per delivered message.
        stream.end(Buffer.concat(messages.map((message) => frame(method.responseSerialize(message)))));
      })
      .catch((err: unknown) => ctx.log.debug({ err }, 'answer not written'));
  });
}

/** An answer of headers and status only (a transport-level problem, or an empty bidi call). */
function trailersOnly(stream: ServerHttp2Stream, code: number, message: string): undefined {
  if (stream.destroyed || stream.closed || stream.headersSent) {
    if (!stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(code),
      'grpc-message': encodeURIComponent(message),
    },
    { endStream: true },
  );
}

function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out.writeUInt8(0, 0);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/** `grpc-timeout` (e.g. `3000m`, `20S`) as an epoch-ms deadline; Infinity without one. */
function deadlineOf(header: string | string[] | undefined): number {
  const match = typeof header === 'string' ? /^(\d{1,8})([HMSmun])$/.exec(header) : null;
  if (!match) return Number.POSITIVE_INFINITY;
  const unitMs = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 }[match[2] as 'H'];
  return Date.now() + Number(match[1]) * unitMs;
}

type FrameResult = { kind: 'messages'; messages: Buffer[] } | { kind: 'error'; code: number; message: string };

/** Splits the request body into gRPC length-prefixed messages as bytes arrive. */
class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes: number) {}

  get pending(): boolean {
    return this.buffer.length > 0;
  }

  push(chunk: Buffer): FrameResult {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    while (this.buffer.length >= 5) {
      const compressed = this.buffer.readUInt8(0);
      const length = this.buffer.readUInt32BE(1);
      if (compressed !== 0)
        return { kind: 'error', code: GRPC.UNIMPLEMENTED, message: 'compressed messages are not supported' };
      if (length > this.maxBytes) {
        return {
          kind: 'error',
          code: GRPC.RESOURCE_EXHAUSTED,
          message: `message of ${length} bytes exceeds ${this.maxBytes}`,
        };
      }
      if (this.buffer.length < 5 + length) break;
      messages.push(this.buffer.subarray(5, 5 + length));
      this.buffer = this.buffer.subarray(5 + length);
    }
    return { kind: 'messages', messages };
  }
}
