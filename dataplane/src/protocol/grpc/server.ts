import {
  type Metadata,
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../../lib/clock.js';
import type { ClientLiveness } from '../../messaging/pop/client-liveness.js';
import type { Consumption } from '../../messaging/pop/consumption.js';
import { QueueSelector } from '../../messaging/queue-selector.js';
import type { Topics } from '../../messaging/topics.js';
import { type GrpcMetrics, noopGrpcMetrics } from '../../metrics/broker-metrics.js';
import type { RouteSource } from '../../namesrv/route-source.js';
import type { MessageStore } from '../../storage/message-store.js';
import type { ClientSessions } from './client-sessions.js';
import { type BrokerIdentity, endpointsOf } from './convert.js';
import { ackMessage } from './handlers/ack-message.js';
import { changeInvisibleDuration } from './handlers/change-invisible-duration.js';
import { forwardMessageToDeadLetterQueue } from './handlers/forward-to-dead-letter.js';
import { heartbeat } from './handlers/heartbeat.js';
import { notImplementedUnary } from './handlers/not-implemented.js';
import { notifyClientTermination } from './handlers/notify-client-termination.js';
import { getOffset, queryOffset, updateOffset } from './handlers/offsets.js';
import { pullMessage } from './handlers/pull-message.js';
import { queryAssignment } from './handlers/query-assignment.js';
import { queryRoute } from './handlers/query-route.js';
import { receiveMessage } from './handlers/receive-message.js';
import type { RpcContext } from './handlers/rpc-context.js';
import { sendMessage } from './handlers/send-message.js';
import { type GroupSource, openTelemetry } from './handlers/telemetry.js';
import { loadMessagingService } from './protos.js';
import { type StreamHandler, serveStream } from './server-stream.js';
import { toStatus } from './status.js';
import type { StatusResponse, TelemetryCommand, WireStatus } from './wire.js';

export interface GrpcServerOptions {
  readonly store: MessageStore;
  readonly topics: Topics;
  /** Consumer groups, for consumers' Settings (FIFO, max attempts, retry policy). */
  readonly groups: GroupSource;
  /** Pop consumption; also the committed queue offsets of UpdateOffset and GetOffset. */
  readonly consumption: Consumption;
  /** Which clients are alive (push consumers' deliveries are renewed while they are). */
  readonly liveness: ClientLiveness;
  /** Clients' Telemetry streams, for commands from the broker (stack traces, verify, reconnect). */
  readonly sessions: ClientSessions;
  /** Refuses sends while the broker drains (`PUT /v1/broker/permission`). */
  readonly permission: { assertWritable(): void };
  /** Where QueryRoute finds every broker of a topic (name server, or this broker alone in standalone mode). */
  readonly routes: RouteSource;
  /** Re-registers this broker at once, so a topic it just created shows up in routes. */
  readonly refreshRegistration?: (topic: string) => Promise<void>;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** `host:port` that routes carry (one address the clients can reach); `host:<bound port>` when omitted. */
  readonly advertise?: string;
  readonly brokerName?: string;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Delay of the repeated Settings reply (PROTOCOL.md §4.4). */
  readonly settingsRepeatMs?: number;
  /** How long close() lets calls finish before cutting them. */
  readonly shutdownGraceMs?: number;
  /** RPC latency, messages in and client connections; nothing is recorded when omitted. */
  readonly metrics?: GrpcMetrics;
  /** Wraps the handlers once, before they are served (OpenTelemetry spans: observability/otel.ts); none when omitted. */
  readonly instrument?: (implementation: UntypedServiceImplementation) => UntypedServiceImplementation;
}

export interface GrpcServer {
  readonly port: number;
  close(): Promise<void>;
}

const MIN_RECEIVE_BYTES = 8 << 20;

/** Serves `apache.rocketmq.v2.MessagingService` over plaintext HTTP/2 with grpc-js. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const { store, topics, log } = options;
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? noopGrpcMetrics;
  const maxBodyBytes = store.config.limits.maxBodyBytes;
  const queueDeps = { store, topics, groups: options.groups };
  const { consumption, liveness } = options;
  const offsetDeps = { ...queueDeps, offsets: consumption };
  const pull = pullMessage({
    ...queueDeps,
    clock,
    arrivals: consumption.arrivals,
    storeHost: () => endpointText(broker as BrokerIdentity),
  });
  // Without an advertised endpoint the route names the bound port, known only after bind; no call is served before.
  let broker: BrokerIdentity | undefined = options.advertise
    ? { name: options.brokerName ?? 'broker-0', endpoints: endpointsOf(options.advertise) }
    : undefined;

  const server = new Server({
    // A maximum-size body plus its properties and framing must fit (PROTOCOL.md §1).
    'grpc.max_receive_message_length': Math.max(MIN_RECEIVE_BYTES, maxBodyBytes + (1 << 20)),
  });
  const unary =
    <Req>(rpc: string, handle: (req: Req, ctx: RpcContext) => Promise<StatusResponse>) =>
    (call: ServerUnaryCall<Req, StatusResponse>, callback: sendUnaryData<StatusResponse>) => {
      const started = performance.now();
      const ctx = contextOf(log, rpc, call.metadata);
      const respond = (response: StatusResponse) => {
        metrics.observeRpc(rpc, response.status.code, performance.now() - started);
        callback(null, response);
      };
      handle(call.request, ctx).then(respond, (err: unknown) => respond({ status: toStatus(err, ctx.log) }));
    };
  const stream =
    <Req, Frame extends { status?: WireStatus }>(rpc: string, handle: StreamHandler<Req, Frame>) =>
    (call: ServerWritableStream<Req, Frame>) =>
      serveStream(call, contextOf(log, rpc, call.metadata), handle, (code, ms) => metrics.observeRpc(rpc, code, ms));
  const telemetryDeps = {
    settings: { maxBodyBytes },
    groups: options.groups,
    subscriptions: consumption,
    liveness,
    sessions: options.sessions,
    clock,
    settingsRepeatMs: options.settingsRepeatMs ?? 1500,
    metrics,
  };

  const route = queryRoute({
    topics,
    routes: options.routes,
    refreshRegistration: options.refreshRegistration ?? (async () => {}),
    broker: () => broker as BrokerIdentity,
  });
  const implementation: UntypedServiceImplementation = {
    QueryRoute: unary('QueryRoute', route),
    Heartbeat: unary('Heartbeat', heartbeat({ liveness })),
    SendMessage: unary(
      'SendMessage',
      sendMessage({ store, topics, queues: new QueueSelector(), permission: options.permission, clock, metrics }),
    ),
    NotifyClientTermination: unary('NotifyClientTermination', notifyClientTermination({ consumption, liveness })),
    Telemetry: (call: ServerDuplexStream<TelemetryCommand, TelemetryCommand>) => {
      const ctx = contextOf(log, 'Telemetry', call.metadata);
      const session = openTelemetry(telemetryDeps, ctx, {
        send: (command) => {
          if (!call.cancelled && !call.writableEnded) call.write(command);
        },
        end: () => {
          if (!call.writableEnded) call.end();
        },
      });
      call.on('data', (command: TelemetryCommand) => {
        try {
          session.onCommand(command);
        } catch (err) {
          if (!call.cancelled && !call.writableEnded) call.write({ status: toStatus(err, ctx.log) });
        }
      });
      call.on('end', () => session.onEnd());
      call.on('error', (err) => {
        ctx.log.debug({ err }, 'telemetry stream failed');
        session.onClose();
      });
      call.on('cancelled', () => session.onClose());
      call.on('close', () => session.onClose());
    },
    ReceiveMessage: stream(
      'ReceiveMessage',
      receiveMessage({
        consumption,
        liveness,
        clock,
        storeHost: () => endpointText(broker as BrokerIdentity),
        onDelivered: (topic, group, sizes) => metrics.recordDelivered(topic, group, sizes),
      }),
    ),
    AckMessage: unary('AckMessage', ackMessage({ consumption })),
    ChangeInvisibleDuration: unary('ChangeInvisibleDuration', changeInvisibleDuration({ consumption })),
    ForwardMessageToDeadLetterQueue: unary(
      'ForwardMessageToDeadLetterQueue',
      forwardMessageToDeadLetterQueue({ consumption }),
    ),
    QueryAssignment: unary('QueryAssignment', queryAssignment({ queryRoute: route })),
    PullMessage: stream('PullMessage', pull),
    UpdateOffset: unary('UpdateOffset', updateOffset(offsetDeps)),
    GetOffset: unary('GetOffset', getOffset(offsetDeps)),
    QueryOffset: unary('QueryOffset', queryOffset(queueDeps)),
  };
  for (const rpc of ['EndTransaction', 'RecallMessage', 'SyncLiteSubscription']) {
    implementation[rpc] = unary(rpc, notImplementedUnary(rpc));
  }
  server.addService(
    withLenientTelemetry(loadMessagingService()),
    options.instrument?.(implementation) ?? implementation,
  );

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  broker ??= { name: options.brokerName ?? 'broker-0', endpoints: endpointsOf(`${options.host}:${port}`) };
  log.info({ host: options.host, port, advertise: broker.endpoints.addresses?.[0] }, 'grpc server listening');

  const graceMs = options.shutdownGraceMs ?? 2000;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function contextOf(log: Logger, rpc: string, metadata: Metadata): RpcContext {
  const clientId = String(metadata.get('x-mq-client-id')[0] ?? '');
  return { clientId, log: log.child({ rpc, clientId }) };
}

function endpointText(broker: BrokerIdentity): string {
  const address = broker.endpoints.addresses?.[0];
  return address ? `${address.host}:${address.port}` : '';
}

/**
 * Telemetry problems go in-band and never fail the call (PROTOCOL.md §4.5): an undecodable command reaches the
 * session as `{ malformed: true }` instead of making grpc-js end the stream (whose status can then get lost behind a
 * reply being written).
 */
function withLenientTelemetry(service: ServiceDefinition): ServiceDefinition {
  const telemetry = service.Telemetry as MethodDefinition<TelemetryCommand, TelemetryCommand>;
  const decode = telemetry.requestDeserialize;
  return {
    ...service,
    Telemetry: {
      ...telemetry,
      requestDeserialize: (bytes: Buffer): TelemetryCommand => {
        try {
          return decode(bytes);
        } catch {
          return { malformed: true };
        }
      },
    },
  };
}
