import { type Client, credentials, Metadata, makeGenericClientConstructor } from '@grpc/grpc-js';
import { type TempDir, tempDir } from '@rocketry/testkit';
import { Registry } from 'prom-client';
import { createAdminApp } from '../../src/admin/app.js';
import { systemClock } from '../../src/lib/clock.js';
import { BrokerPermission } from '../../src/messaging/broker-permission.js';
import { Groups } from '../../src/messaging/groups.js';
import type { Consumption, ConsumptionLimits } from '../../src/messaging/pop/consumption.js';
import { openConsumption } from '../../src/messaging/pop/open-consumption.js';
import { defaultTimerConfig, type TimerConfig, TimerService } from '../../src/messaging/timers/timer-service.js';
import { Topics, type TopicsOptions } from '../../src/messaging/topics.js';
import { type TransactionPolicy, Transactions } from '../../src/messaging/transactions/transactions.js';
import type { GrpcMetrics } from '../../src/metrics/broker-metrics.js';
import { EmbeddedRouteSource } from '../../src/namesrv/route-source.js';
import { RouteTable } from '../../src/namesrv/route-table.js';
import { ClientSessions } from '../../src/protocol/grpc/client-sessions.js';
import { loadMessagingService } from '../../src/protocol/grpc/protos.js';
import { type GrpcServer, type GrpcServerOptions, startGrpcServer } from '../../src/protocol/grpc/server.js';
import { transactionCheckBack } from '../../src/protocol/grpc/transaction-checks.js';
import type { MessageStore } from '../../src/storage/message-store.js';
import type { StoreConfig } from '../../src/storage/store-config.js';
import { openStore, silentLog, testConfig } from './store.js';

/** A real broker on 127.0.0.1:0 over a temp dir: storage, topics and the gRPC server. */
export interface GrpcBroker {
  readonly dir: TempDir;
  readonly store: MessageStore;
  readonly topics: Topics;
  readonly server: StandaloneGrpc;
  readonly groups: Groups;
  readonly permission: BrokerPermission;
  readonly endpoint: string;
  close(keepDir?: boolean): Promise<void>;
}

export interface ConsumptionTuning {
  readonly consumptionLimits?: Partial<ConsumptionLimits>;
  readonly clientGraceMs?: number;
  /** Serve this consumption (the caller owns it) instead of opening one over the store's directory. */
  readonly shared?: Awaited<ReturnType<typeof openConsumption>>;
  /** Check interval, maximum checks and the rest, over the broker defaults (short intervals in tests). */
  readonly transactionPolicy?: Partial<TransactionPolicy>;
  /** Timer settings over the broker defaults (e.g. a short maximum delay). */
  readonly timerConfig?: Partial<TimerConfig>;
}

/** A running gRPC server and the pop consumption it serves (closed with it). */
export interface StandaloneGrpc extends GrpcServer {
  readonly consumption: Consumption;
  readonly sessions: ClientSessions;
  readonly transactions: Transactions;
  readonly timers: TimerService;
}

/**
 * A gRPC server on 127.0.0.1:0 over the given broker parts, with pop consumption in the store's directory,
 * standalone: routes fall back to this broker alone.
 */
export async function startStandaloneGrpc(
  parts: Pick<GrpcServerOptions, 'store' | 'topics' | 'groups' | 'permission' | 'settingsRepeatMs' | 'metrics'> &
    ConsumptionTuning,
): Promise<StandaloneGrpc> {
  const { consumption, liveness } =
    parts.shared ??
    (await openConsumption({
      store: parts.store,
      topics: parts.topics,
      groups: parts.groups,
      clock: systemClock,
      log: silentLog,
      ...(parts.consumptionLimits && { limits: parts.consumptionLimits }),
      ...(parts.clientGraceMs !== undefined && { clientGraceMs: parts.clientGraceMs }),
    }));
  const sessions = new ClientSessions();
  let storeHost = '';
  const transactions = await Transactions.open({
    store: parts.store,
    clock: systemClock,
    log: silentLog,
    checkBack: transactionCheckBack(sessions, () => storeHost),
    ...(parts.transactionPolicy && { policy: parts.transactionPolicy }),
  });
  const timers = await TimerService.open(
    { ...defaultTimerConfig, ...parts.timerConfig },
    { store: parts.store, topics: parts.topics, clock: systemClock, log: silentLog },
  );
  const server = await startGrpcServer({
    ...parts,
    timers,
    consumption,
    liveness,
    sessions,
    transactions,
    routes: new EmbeddedRouteSource(new RouteTable(), systemClock),
    host: '127.0.0.1',
    port: 0,
    log: silentLog,
    shutdownGraceMs: 500,
    // The suites run on either transport: ROCKETRY_GRPC_TRANSPORT=grpc-js serves them from grpc-js instead of h2.
    ...(process.env.ROCKETRY_GRPC_TRANSPORT === 'grpc-js' && { transport: 'grpc-js' as const }),
  });
  storeHost = `127.0.0.1:${server.port}`;
  transactions.start();
  return {
    port: server.port,
    consumption,
    sessions,
    transactions,
    timers,
    async close() {
      consumption.endPolls();
      await server.close();
      await transactions.close();
      await timers.close();
      if (!parts.shared) await consumption.close();
    },
  };
}

export async function startBroker(
  options: TopicsOptions &
    ConsumptionTuning & {
      settingsRepeatMs?: number;
      metrics?: GrpcMetrics;
      dir?: TempDir;
      /** Over the small test defaults (e.g. production message limits). */
      store?: Partial<Omit<StoreConfig, 'dataDir'>>;
    },
): Promise<GrpcBroker> {
  const dir = options.dir ?? (await tempDir());
  const store = await openStore(testConfig(dir.path, options.store));
  const topics = await Topics.open(dir.path, options);
  const groups = await Groups.open(dir.path, { autoCreate: options.autoCreate });
  const permission = await BrokerPermission.open(dir.path);
  const server = await startStandaloneGrpc({
    store,
    topics,
    groups,
    permission,
    settingsRepeatMs: options.settingsRepeatMs ?? 1500,
    ...(options.metrics && { metrics: options.metrics }),
    ...(options.consumptionLimits && { consumptionLimits: options.consumptionLimits }),
    ...(options.clientGraceMs !== undefined && { clientGraceMs: options.clientGraceMs }),
    ...(options.transactionPolicy && { transactionPolicy: options.transactionPolicy }),
    ...(options.timerConfig && { timerConfig: options.timerConfig }),
  });
  return {
    dir,
    store,
    topics,
    groups,
    permission,
    server,
    endpoint: `127.0.0.1:${server.port}`,
    /** Stops the broker; `keepDir` leaves its files for a restart on the same directory. */
    async close(keepDir = false) {
      await server.close();
      await store.close();
      if (!keepDir) await dir.remove();
    },
  };
}

/** The official client logs to ~/logs by default; tests keep it quiet. */
export const quietClientLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** A plain grpc-js client of MessagingService built from the same shipped protos, for what the official client never sends. */
export function rawClient(endpoint: string): Client & Record<string, (...args: unknown[]) => unknown> {
  const Ctor = makeGenericClientConstructor(loadMessagingService(), 'MessagingService');
  return new Ctor(endpoint, credentials.createInsecure()) as Client & Record<string, (...args: unknown[]) => unknown>;
}

export function clientMetadata(clientId = 'test-client'): Metadata {
  const metadata = new Metadata();
  metadata.set('x-mq-client-id', clientId);
  return metadata;
}

/** Calls a unary RPC of the raw client. */
export function unaryCall<Res>(client: ReturnType<typeof rawClient>, rpc: string, request: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    const method = client[rpc] as (req: unknown, md: Metadata, cb: (err: Error | null, res: Res) => void) => void;
    method.call(client, request, clientMetadata(), (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** The broker's admin HTTP API over a running test broker, on a free loopback port. */
export async function serveAdmin(
  b: GrpcBroker,
  registry: Registry = new Registry(),
): Promise<{ base: string; close(): Promise<void> }> {
  const app = createAdminApp({
    registry,
    log: silentLog,
    isReady: () => true,
    store: b.store,
    consumption: b.server.consumption,
    sessions: b.server.sessions,
    topics: b.topics,
    groups: b.groups,
    permission: b.permission,
    transactions: b.server.transactions,
    timers: b.server.timers,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
