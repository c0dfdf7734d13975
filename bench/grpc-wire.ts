import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type Client,
  type ClientDuplexStream,
  credentials,
  Metadata,
  type MethodDefinition,
  makeGenericClientConstructor,
  type ServiceDefinition,
} from '@grpc/grpc-js';

/** The RocketMQ 5 protos exactly as the broker loads them, and a plain grpc-js client of them for the generators. */
import { loadMessagingService } from '../dataplane/src/protocol/grpc/protos.js';

export { loadMessagingService };

export interface WireStatus {
  code: string | number;
  message?: string;
}

export const OK = 20000;
const NOT_IMPLEMENTED = 50100;
const CODE_NAMES: Record<string, number> = {
  OK,
  MULTIPLE_RESULTS: 30000,
  MESSAGE_NOT_FOUND: 40401,
  NOT_IMPLEMENTED,
};

/** Decoded statuses carry the enum's name (proto-loader `enums: String`); numbers when the name is unknown. */
export function codeOf(status: WireStatus | undefined): number {
  if (!status) return OK;
  const code = status.code;
  return typeof code === 'number' ? code : (CODE_NAMES[code] ?? (Number(code) || -1));
}

export const isNotImplemented = (status: WireStatus | undefined) => codeOf(status) === NOT_IMPLEMENTED;
/** OK, or MESSAGE_NOT_FOUND for an empty receive (PROTOCOL.md §5). */
export const isSuccess = (status: WireStatus | undefined) => [OK, 30000, 40401].includes(codeOf(status));

/** A status the broker answered with, as an error: the bench stops rather than count failures as throughput. */
export class StatusError extends Error {
  constructor(
    readonly rpc: string,
    readonly status: WireStatus | undefined,
  ) {
    super(`${rpc} answered ${status?.code} ${status?.message ?? ''}`.trim());
  }
}

export interface WireMessage {
  topic: { name: string };
  system_properties: Record<string, unknown>;
  user_properties?: Record<string, string>;
  body: Buffer;
}

export interface ReceivedMessage {
  topic?: { name?: string };
  system_properties?: { message_id?: string; receipt_handle?: string; delivery_attempt?: number };
  body?: Buffer;
}

/** The headers the official client sends on every call (PROTOCOL.md §2). */
export function metadataHeaders(clientId: string): Record<string, string> {
  return {
    'x-mq-protocol': 'v2',
    'x-mq-client-id': clientId,
    'x-mq-language': 'HTTP',
    'x-mq-client-version': '1.0.8',
  };
}

export const newClientId = () => `${hostname()}@${process.pid}@bench@${randomBytes(4).toString('hex')}`;

type Callback = (err: Error | null, res: unknown) => void;
type RawClient = Client & Record<string, (...args: unknown[]) => unknown>;

/**
 * One HTTP/2 connection (a local subchannel pool, so clients never share one) speaking MessagingService. `SendMessage`
 * also accepts pre-encoded request bytes (`sendEncoded`), so a load generator spends its CPU on the wire, not on
 * re-encoding 32 identical bodies.
 */
export class MessagingClient {
  private readonly client: RawClient;
  private readonly metadata: Metadata;
  readonly clientId: string;

  constructor(
    readonly endpoint: string,
    service: ServiceDefinition = loadMessagingService(),
  ) {
    const send = service.SendMessage as MethodDefinition<unknown, unknown>;
    const extended: ServiceDefinition = {
      ...service,
      SendEncoded: { ...send, originalName: 'SendEncoded', requestSerialize: (bytes: Buffer) => bytes },
    };
    const Ctor = makeGenericClientConstructor(extended, 'MessagingService');
    this.client = new Ctor(endpoint, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.max_receive_message_length': 16 << 20,
    }) as RawClient;
    this.clientId = newClientId();
    this.metadata = new Metadata();
    for (const [key, value] of Object.entries(metadataHeaders(this.clientId))) this.metadata.set(key, value);
  }

  unary<Res extends { status?: WireStatus }>(rpc: string, request: unknown, timeoutMs = 10_000): Promise<Res> {
    return new Promise((resolve, reject) => {
      const method = this.client[rpc] as (req: unknown, md: Metadata, opts: object, cb: Callback) => void;
      method.call(this.client, request, this.metadata, { deadline: Date.now() + timeoutMs }, (err, res) =>
        err ? reject(err) : resolve(res as Res),
      );
    });
  }

  sendEncoded(request: Buffer): Promise<SendResponse> {
    return this.unary<SendResponse>('SendEncoded', request);
  }

  /**
   * Opens a Telemetry stream and writes `command`; resolves with the stream's first reply and a function that ends
   * the stream (the broker ties a consumer's liveness to it).
   */
  telemetry(command: unknown, timeoutMs = 10_000): Promise<{ reply: TelemetryReply; end: () => void }> {
    return new Promise((resolve, reject) => {
      const open = this.client.Telemetry as (md: Metadata) => ClientDuplexStream<unknown, TelemetryReply>;
      const call = open.call(this.client, this.metadata);
      const timer = setTimeout(() => {
        call.cancel();
        reject(new Error(`no Telemetry reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const end = () => {
        call.end();
        call.cancel();
      };
      call.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      call.once('data', (reply: TelemetryReply) => {
        clearTimeout(timer);
        resolve({ reply, end });
      });
      call.write(command);
    });
  }

  close(): void {
    this.client.close();
  }
}

export interface TelemetryReply {
  status?: WireStatus;
  settings?: unknown;
}

export interface SendResponse {
  status?: WireStatus;
  entries?: { status?: WireStatus; message_id?: string; offset?: string }[];
}

/** Message ids as the official client makes them: 34 upper-case hex digits, unique per process and counter. */
export class MessageIds {
  private readonly prefix = `01${randomBytes(7).toString('hex').toUpperCase()}`;
  private counter = 0;

  next(): string {
    return `${this.prefix}${(this.counter++).toString(16).toUpperCase().padStart(18, '0')}`;
  }
}

/** A NORMAL message, or a FIFO one when it has a message group. */
export function normalMessage(
  topic: string,
  messageId: string,
  body: Buffer,
  bornMs = Date.now(),
  messageGroup?: string,
): WireMessage {
  return {
    topic: { name: topic },
    system_properties: {
      tag: 'bench',
      message_id: messageId,
      message_type: messageGroup === undefined ? 'NORMAL' : 'FIFO',
      ...(messageGroup !== undefined && { message_group: messageGroup }),
      body_encoding: 'IDENTITY',
      born_host: hostname(),
      born_timestamp: { seconds: Math.floor(bornMs / 1000), nanos: (bornMs % 1000) * 1e6 },
    },
    body,
  };
}

/** A subscription as a simple consumer announces it on its Telemetry stream; the broker starts the group there. */
export function simpleConsumerSettings(endpoint: string, group: string, topic: string) {
  const [host, port] = endpoint.split(':');
  return {
    settings: {
      client_type: 'SIMPLE_CONSUMER',
      access_point: { scheme: 'IPv4', addresses: [{ host, port: Number(port) }] },
      request_timeout: { seconds: 3 },
      subscription: {
        group: { name: group },
        subscriptions: [{ topic: { name: topic }, expression: { type: 'TAG', expression: '*' } }],
      },
    },
  };
}
