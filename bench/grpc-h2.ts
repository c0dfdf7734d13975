import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { metadataHeaders } from './grpc-wire.js';

/**
 * gRPC calls straight on `node:http2`, for the load generators only: research/GRPC_CEILING.md measured a grpc-js client
 * at about 128 µs per call, which on a 2-core machine takes the broker's CPU (here: about half the client CPU of grpc-js
 * for 32-message sends). One HTTP/2 session per instance. A call sends one length-prefixed message and collects every
 * message of the answer; it fails unless the answer is HTTP 200 with `grpc-status: 0`. No compression, no retries.
 */
export class Http2GrpcClient {
  private readonly session: ClientHttp2Session;
  private readonly headers: Record<string, string>;
  private readonly active = new Set<ClientHttp2Stream>();

  constructor(endpoint: string, clientId: string) {
    this.session = connect(`http://${endpoint}`);
    this.session.on('error', () => {});
    this.headers = {
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      te: 'trailers',
      ...metadataHeaders(clientId),
    };
  }

  /** The messages of the answer (one for a unary method, any number for a server-streaming one), undecoded. */
  call(path: string, encoded: Buffer, timeoutMs: number, cancellable = false): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const prefix = Buffer.allocUnsafe(5);
      prefix.writeUInt8(0, 0);
      prefix.writeUInt32BE(encoded.length, 1);
      const stream = this.session.request({
        ...this.headers,
        [constants.HTTP2_HEADER_PATH]: path,
        'grpc-timeout': `${Math.max(1, Math.round(timeoutMs))}m`,
      });
      if (cancellable) this.active.add(stream);
      const messages: Buffer[] = [];
      let pending: Buffer | undefined;
      let httpStatus = 0;
      let grpcStatus: string | undefined;
      let grpcMessage = '';
      stream.on('response', (headers) => {
        httpStatus = Number(headers[constants.HTTP2_HEADER_STATUS]);
        // A trailers-only answer carries the status in the headers.
        if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
      });
      stream.on('trailers', (trailers) => {
        grpcStatus = String(trailers['grpc-status']);
        grpcMessage = decodeURIComponent(String(trailers['grpc-message'] ?? ''));
      });
      stream.on('data', (chunk: Buffer) => {
        let data = pending ? Buffer.concat([pending, chunk]) : chunk;
        while (data.length >= 5) {
          if (data[0] !== 0) {
            reject(new Error(`${path}: compressed answers are not supported`));
            stream.close(constants.NGHTTP2_CANCEL);
            return;
          }
          const end = 5 + data.readUInt32BE(1);
          if (data.length < end) break;
          messages.push(data.subarray(5, end));
          data = data.subarray(end);
        }
        pending = data.length > 0 ? data : undefined;
      });
      stream.on('error', reject);
      stream.on('close', () => {
        this.active.delete(stream);
        if (httpStatus === 200 && grpcStatus === '0' && pending === undefined) resolve(messages);
        else reject(new Error(`${path}: HTTP ${httpStatus}, grpc-status ${grpcStatus} ${grpcMessage}`.trim()));
      });
      stream.write(prefix);
      stream.end(encoded);
    });
  }

  /** A unary call of `rpc`, encoded and decoded with the protos (proto-loader's conversions). */
  async unary<Res>(method: MethodDefinition<unknown, unknown>, request: unknown, timeoutMs = 10_000): Promise<Res> {
    const encoded = Buffer.isBuffer(request) ? request : method.requestSerialize(request);
    const [answer, ...rest] = await this.call(method.path, encoded, timeoutMs);
    if (!answer || rest.length > 0) throw new Error(`${method.path}: expected exactly one message`);
    return method.responseDeserialize(answer) as Res;
  }

  /** A server-streaming call of `rpc` (cancelAll ends it): every message of the answer, decoded. */
  async serverStream<Frame>(
    method: MethodDefinition<unknown, unknown>,
    request: unknown,
    timeoutMs: number,
  ): Promise<Frame[]> {
    const answers = await this.call(method.path, method.requestSerialize(request), timeoutMs, true);
    return answers.map((a) => method.responseDeserialize(a) as Frame);
  }

  /** Cancels the server-streaming calls in flight (they reject); unary calls finish. */
  cancelAll(): void {
    for (const stream of this.active) stream.close(constants.NGHTTP2_CANCEL);
  }

  close(): void {
    this.cancelAll();
    this.session.close();
  }
}

export const methodOf = (service: ServiceDefinition, rpc: string) => service[rpc] as MethodDefinition<unknown, unknown>;
