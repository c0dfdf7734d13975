import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { loadMessagingService, OK } from './grpc-wire.js';

/**
 * The baseline of the gRPC suite, run as a child process (`node --import tsx bench/grpc-empty-server.ts`): grpc-js with
 * the same protos and proto-loader options as the broker, answering `SendMessage` with OK receipts and storing nothing.
 * It also answers what the official producer needs to start (QueryRoute, Telemetry settings, Heartbeat). Prints
 * `{"port":N}` on its first line of stdout; stops on SIGTERM.
 */

const OK_STATUS = { code: OK, message: 'OK' };
type Unary = (call: ServerUnaryCall<Record<string, unknown>, unknown>, callback: sendUnaryData<unknown>) => void;
interface WireMessage {
  system_properties?: { message_id?: string };
}

let port = 0;
let offset = 0;

const queryRoute: Unary = (call, callback) => {
  const topic = call.request.topic as { name?: string } | undefined;
  const broker = {
    name: 'empty-0',
    id: 0,
    endpoints: { scheme: 'IPv4', addresses: [{ host: '127.0.0.1', port }] },
  };
  callback(null, {
    status: OK_STATUS,
    message_queues: [0, 1, 2, 3].map((id) => ({
      topic: { name: topic?.name ?? '' },
      id,
      permission: 'READ_WRITE',
      broker,
      accept_message_types: ['NORMAL'],
    })),
  });
};

const sendMessage: Unary = (call, callback) => {
  const messages = (call.request.messages ?? []) as WireMessage[];
  callback(null, {
    status: OK_STATUS,
    entries: messages.map((m) => ({
      status: OK_STATUS,
      message_id: m.system_properties?.message_id ?? '',
      transaction_id: '',
      offset: String(offset++),
    })),
  });
};

const statusOnly: Unary = (_call, callback) => callback(null, { status: OK_STATUS });

/** Every Settings the client sends gets a producer's reply (PROTOCOL.md §4.3): body limit and a backoff policy. */
function telemetry(call: ServerDuplexStream<Record<string, unknown>, unknown>): void {
  call.on('data', (command: { settings?: Record<string, unknown> }) => {
    const settings = command.settings;
    if (!settings) return;
    call.write({
      status: OK_STATUS,
      settings: {
        client_type: settings.client_type,
        request_timeout: settings.request_timeout,
        backoff_policy: {
          max_attempts: 3,
          exponential_backoff: { initial: { seconds: 1 }, max: { seconds: 10 }, multiplier: 2 },
        },
        publishing: {
          topics: (settings.publishing as { topics?: unknown[] } | undefined)?.topics ?? [],
          max_body_size: 4_128_768,
          validate_message_type: true,
        },
      },
    });
  });
  call.on('end', () => call.end());
  call.on('error', () => {});
}

const server = new Server({ 'grpc.max_receive_message_length': 8 << 20 });
server.addService(loadMessagingService(), {
  QueryRoute: queryRoute,
  Heartbeat: statusOnly,
  SendMessage: sendMessage,
  NotifyClientTermination: statusOnly,
  Telemetry: telemetry,
});
port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
    err ? reject(err) : resolve(bound),
  ),
);
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.once('SIGTERM', () => {
  server.forceShutdown();
  process.exit(0);
});
