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
import type { TimerService } from '../../messaging/timers/timer-service.js';
import type { Topics } from '../../messaging/topics.js';
import type { Transactions } from '../../messaging/transactions/transactions.js';
import { type GrpcMetrics, noopGrpcMetrics } from '../../metrics/broker-metrics.js';
import type { RouteSource } from '../../namesrv/route-source.js';
import type { MessageStore } from '../../storage/message-store.js';
import type { ClientSessions } from './client-sessions.js';
import { type BrokerIdentity, endpointsOf } from './convert.js';
import { type Rpc, startH2Transport } from './h2-transport.js';
import { ackMessage } from './handlers/ack-message.js';
import { changeInvisibleDuration } from './handlers/change-invisible-duration.js';
import { endTransaction } from './handlers/end-transaction.js';
import { forwardMessageToDeadLetterQueue } from './handlers/forward-to-dead-letter.js';
import { heartbeat } from './handlers/heartbeat.js';
import { notImplementedUnary } from './handlers/not-implemented.js';
import { notifyClientTermination } from './handlers/notify-client-termination.js';
import { getOffset, queryOffset, updateOffset } from './handlers/offsets.js';
import { pullMessage } from './handlers/pull-message.js';
import { queryAssignment } from './handlers/query-assignment.js';
import { queryRoute } from './handlers/query-route.js';
import { recallMessage } from './handlers/recall-message.js';
import { receiveMessage } from './handlers/receive-message.js';
import type { RpcContext } from './handlers/rpc-context.js';
import { sendMessage } from './handlers/send-message.js';
import { type GroupSource, openTelemetry, type TelemetryPeer, type TelemetrySession } from './handlers/telemetry.js';
import { loadMessagingService } from './protos.js';
import { encodeMessageResponse, encodeSendMessageResponse } from './response-encoders.js';
import { type StreamHandler, serveStream } from './server-stream.js';
import { toStatus } from './status.js';
import type { SendMessageResponse, StatusResponse, TelemetryCommand, WireMessage, WireStatus } from './wire.js';

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
  /** Half messages and EndTransaction; without it TRANSACTION sends are UNSUPPORTED and EndTransaction NOT_IMPLEMENTED. */
  readonly transactions?: Transactions;
  /** DELAY messages and RecallMessage; without it DELAY sends are UNSUPPORTED and RecallMessage NOT_IMPLEMENTED. */
  readonly timers?: TimerService;
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
  /**
   * `h2` (default), a minimal gRPC server on node:http2 (h2-transport.ts), or `grpc-js`. h2 measured 1.3-1.5× the
   * broker's grpc-js throughput for batched sends and receives (bench/grpc.ts); OpenTelemetry spans need grpc-js
   * (`instrument` wraps grpc-js handlers).
   */
  readonly transport?: 'grpc-js' | 'h2';
  /** Wraps the handlers once, before they are served (OpenTelemetry spans: observability/otel.ts); none when omitted. */
  readonly instrument?: (implementation: UntypedServiceImplementation) => UntypedServiceImplementation;
}

export interface GrpcServer {
  readonly port: number;
  close(): Promise<void>;
}

const MIN_RECEIVE_BYTES = 8 << 20;

/** Serves `apache.rocketmq.v2.MessagingService` over plaintext HTTP/2 (node:http2 by default, or grpc-js). */
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
  const rpcs: Record<string, Rpc> = {
    QueryRoute: { kind: 'unary', handle: route },
    Heartbeat: { kind: 'unary', handle: heartbeat({ liveness }) },
    SendMessage: {
      kind: 'unary',
      handle: sendMessage({
        store,
        topics,
        queues: new QueueSelector(),
        permission: options.permission,
        ...(options.transactions && { transactions: options.transactions }),
        ...(options.timers && { delay: options.timers.delayPolicy }),
        clock,
        metrics,
      }),
    },
    NotifyClientTermination: { kind: 'unary', handle: notifyClientTermination({ consumption, liveness }) },
    Telemetry: { kind: 'bidi', open: (ctx, peer) => openTelemetry(telemetryDeps, ctx, peer) },
    ReceiveMessage: {
      kind: 'stream',
      handle: receiveMessage({
        consumption,
        liveness,
        clock,
        storeHost: () => endpointText(broker as BrokerIdentity),
        onDelivered: (topic, group, sizes) => metrics.recordDelivered(topic, group, sizes),
      }),
    },
    AckMessage: { kind: 'unary', handle: ackMessage({ consumption }) },
    ChangeInvisibleDuration: { kind: 'unary', handle: changeInvisibleDuration({ consumption }) },
    ForwardMessageToDeadLetterQueue: { kind: 'unary', handle: forwardMessageToDeadLetterQueue({ consumption }) },
    QueryAssignment: { kind: 'unary', handle: queryAssignment({ queryRoute: route }) },
    PullMessage: { kind: 'stream', handle: pull },
    UpdateOffset: { kind: 'unary', handle: updateOffset(offsetDeps) },
    GetOffset: { kind: 'unary', handle: getOffset(offsetDeps) },
    QueryOffset: { kind: 'unary', handle: queryOffset(queueDeps) },
  };
  for (const rpc of ['EndTransaction', 'RecallMessage', 'SyncLiteSubscription']) {
    rpcs[rpc] = { kind: 'unary', handle: notImplementedUnary(rpc) };
  }
  if (options.transactions) {
    rpcs.EndTransaction = { kind: 'unary', handle: endTransaction({ transactions: options.transactions }) };
  }
  if (options.timers) {
    rpcs.RecallMessage = { kind: 'unary', handle: recallMessage({ timers: options.timers }) };
  }
  const graceMs = options.shutdownGraceMs ?? 2000;
  const maxReceiveBytes = Math.max(MIN_RECEIVE_BYTES, maxBodyBytes + (1 << 20));
  const bound =
    options.transport === 'grpc-js'
      ? await serveOnGrpcJs(rpcs, options, maxReceiveBytes, metrics)
      : await serveOnH2(rpcs, options, maxReceiveBytes, metrics);
  const port = bound.port;
  broker ??= { name: options.brokerName ?? 'broker-0', endpoints: endpointsOf(`${options.host}:${port}`) };
  log.info(
    { host: options.host, port, advertise: broker.endpoints.addresses?.[0], transport: options.transport ?? 'h2' },
    'grpc server listening',
  );
  return { port, close: () => bound.close(graceMs) };
}

type Bound = { port: number; close(graceMs: number): Promise<void> };

function serveOnH2(
  rpcs: Record<string, Rpc>,
  options: GrpcServerOptions,
  maxReceiveBytes: number,
  metrics: GrpcMetrics,
): Promise<Bound> {
  return startH2Transport({
    service: servedService(),
    rpcs,
    host: options.host,
    port: options.port,
    maxReceiveBytes,
    log: options.log,
    context: (rpc, clientId) => ({ clientId, log: options.log.child({ rpc, clientId }) }),
    observe: (rpc, code, ms) => metrics.observeRpc(rpc, code, ms),
  });
}

/** The same RPCs on grpc-js (the transport OpenTelemetry instruments). */
async function serveOnGrpcJs(
  rpcs: Record<string, Rpc>,
  options: GrpcServerOptions,
  maxReceiveBytes: number,
  metrics: GrpcMetrics,
): Promise<Bound> {
  const { log } = options;
  // A maximum-size body plus its properties and framing must fit (PROTOCOL.md §1).
  const server = new Server({ 'grpc.max_receive_message_length': maxReceiveBytes });
  const unary =
    (rpc: string, handle: (req: never, ctx: RpcContext) => Promise<StatusResponse>) =>
    (call: ServerUnaryCall<never, StatusResponse>, callback: sendUnaryData<StatusResponse>) => {
      const started = performance.now();
      const ctx = contextOf(log, rpc, call.metadata);
      const respond = (response: StatusResponse) => {
        metrics.observeRpc(rpc, response.status.code, performance.now() - started);
        callback(null, response);
      };
      handle(call.request, ctx).then(respond, (err: unknown) => respond({ status: toStatus(err, ctx.log) }));
    };
  const stream =
    (rpc: string, handle: StreamHandler<never, { status?: WireStatus }>) =>
    (call: ServerWritableStream<never, { status?: WireStatus }>) =>
      serveStream(call, contextOf(log, rpc, call.metadata), handle, (code, ms) => metrics.observeRpc(rpc, code, ms));
  const bidi =
    (rpc: string, open: (ctx: RpcContext, peer: TelemetryPeer) => TelemetrySession) =>
    (call: ServerDuplexStream<TelemetryCommand, TelemetryCommand>) => {
      const ctx = contextOf(log, rpc, call.metadata);
      const session = open(ctx, {
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
    };
  const implementation: UntypedServiceImplementation = {};
  for (const [name, rpc] of Object.entries(rpcs)) {
    const handler =
      rpc.kind === 'unary'
        ? unary(name, rpc.handle)
        : rpc.kind === 'stream'
          ? stream(name, rpc.handle)
          : bidi(name, rpc.open);
    implementation[name] = handler as UntypedServiceImplementation[string];
  }
  server.addService(servedService(), options.instrument?.(implementation) ?? implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    port,
    close: (graceMs) =>
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
function servedService(): ServiceDefinition {
  return withDirectMessageEncoding(withLenientTelemetry(loadMessagingService()));
}

/** Send responses and delivered messages skip the generic serializer (response-encoders.ts); status frames keep it. */
function withDirectMessageEncoding(service: ServiceDefinition): ServiceDefinition {
  const direct = (name: 'ReceiveMessage' | 'PullMessage') => {
    const method = service[name] as MethodDefinition<unknown, { message?: WireMessage; status?: WireStatus }>;
    const generic = method.responseSerialize;
    return {
      ...method,
      responseSerialize: (response: { message?: WireMessage }) =>
        response.message ? encodeMessageResponse(response.message) : generic(response),
    };
  };
  const send = service.SendMessage as MethodDefinition<unknown, SendMessageResponse>;
  return {
    ...service,
    SendMessage: { ...send, responseSerialize: encodeSendMessageResponse },
    ReceiveMessage: direct('ReceiveMessage'),
    PullMessage: direct('PullMessage'),
  };
}

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
