import { resolve } from 'node:path';
import { pino } from 'pino';
import { createAdminServer, listen } from './admin/admin-server.js';
import { type BrokerConfig, brokerDefaults, ConfigError, devDefaults, parseBrokerConfig } from './config.js';
import { systemClock } from './lib/clock.js';
import { BrokerPermission } from './messaging/broker-permission.js';
import { Groups } from './messaging/groups.js';
import { openConsumption } from './messaging/pop/open-consumption.js';
import { defaultTimerConfig, TimerService } from './messaging/timers/timer-service.js';
import { Topics } from './messaging/topics.js';
import { Transactions } from './messaging/transactions/transactions.js';
import { createRegistry, registerConsumerGauges } from './metrics/registry.js';
import { registerPendingTimersGauge, timerCounters } from './metrics/timer-metrics.js';
import { registerHalfMessageGauge, transactionCounters } from './metrics/transaction-metrics.js';
import { NameServerClient } from './namesrv/namesrv-client.js';
import { Registrar } from './namesrv/registrar.js';
import {
  EmbeddedRouteSource,
  type RegistrationTarget,
  RemoteRouteSource,
  type RouteSource,
} from './namesrv/route-source.js';
import { RouteTable } from './namesrv/route-table.js';
import { startOtel } from './observability/otel.js';
import { type OtelSettings, parseOtelSettings } from './observability/otel-settings.js';
import { ClientSessions } from './protocol/grpc/client-sessions.js';
import { startGrpcServer } from './protocol/grpc/server.js';
import { transactionCheckBack } from './protocol/grpc/transaction-checks.js';
import { MessageStore } from './storage/message-store.js';
import { storeConfig } from './storage/store-config.js';

/**
 * Entry point of `rocketry broker` and `rocketry dev`: parses settings once, opens storage (running recovery), serves
 * health and metrics, and closes everything in order on SIGINT/SIGTERM.
 */
export async function main(command: 'broker' | 'dev', argv: readonly string[]): Promise<void> {
  let config: BrokerConfig;
  let otelSettings: OtelSettings | undefined;
  try {
    config = parseBrokerConfig(argv, process.env, command === 'dev' ? devDefaults : brokerDefaults);
    otelSettings = parseOtelSettings(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`rocketry ${command}: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  const root = pino({ level: config.logLevel });
  const log = root.child({ component: 'broker' });
  // Only with OTEL_EXPORTER_OTLP_ENDPOINT (or a per-signal endpoint): otherwise no SDK is loaded or started.
  const otel = otelSettings && (await startOtel(otelSettings, { log: root.child({ component: 'otel' }) }));
  const transport = config.grpcTransport ?? (otel ? 'grpc-js' : 'h2');
  if (otel && transport === 'h2') {
    log.warn('OpenTelemetry spans need the grpc-js transport; with --grpc-transport h2 only metrics are exported');
  }
  const dataDir = resolve(config.dataDir);
  let ready = false;
  const store = await MessageStore.open(
    storeConfig(dataDir, {
      flush: config.flush,
      segmentBytes: config.segmentMiB << 20,
      retention: { retentionMs: config.retentionHours * 3600_000, maxDiskUsedRatio: 0.9 },
      repair: config.repair,
    }),
    { clock: systemClock, log: root.child({ component: 'storage' }) },
  );
  const topics = await Topics.open(dataDir, { autoCreate: config.autoCreate });
  const groups = await Groups.open(dataDir, { autoCreate: config.autoCreate });
  const permission = await BrokerPermission.open(dataDir);
  const metrics = createRegistry(store);
  const sessions = new ClientSessions();
  const { consumption, liveness } = await openConsumption({
    store,
    topics,
    groups,
    clock: systemClock,
    log: root.child({ component: 'consumption' }),
    onDeadLetter: (group, topic) => metrics.broker.recordDeadLetter(topic, group),
  });
  registerConsumerGauges(metrics.registry, consumption);
  const timers = await TimerService.open(
    { ...defaultTimerConfig, maxDelayMs: config.maxDelayHours * 3600_000 },
    {
      store,
      topics,
      clock: systemClock,
      log: root.child({ component: 'timer' }),
      metrics: timerCounters(metrics.registry),
    },
  );
  registerPendingTimersGauge(metrics.registry, timers);
  let storeHost = '';
  const transactions = await Transactions.open({
    store,
    clock: systemClock,
    log: root.child({ component: 'transactions' }),
    checkBack: transactionCheckBack(sessions, () => storeHost),
    policy: {
      checkIntervalMs: config.txnCheckIntervalMs,
      maxChecks: config.txnMaxChecks,
      giveUp: config.txnGiveUp,
      maxUnresolved: config.txnMaxUnresolved,
    },
    metrics: transactionCounters(metrics.registry),
  });
  registerHalfMessageGauge(metrics.registry, transactions);
  // With a name server, routes and registration go over HTTP; standalone, an in-process table (no extra port).
  const client = config.namesrv ? new NameServerClient({ address: config.namesrv }) : undefined;
  const embedded = client ? undefined : new EmbeddedRouteSource(new RouteTable(), systemClock);
  const remote = client ? new RemoteRouteSource(client, systemClock) : undefined;
  let registrar: Registrar | undefined;
  const grpc = await startGrpcServer({
    store,
    topics,
    groups,
    consumption,
    liveness,
    sessions,
    permission,
    transactions,
    timers,
    routes: (remote ?? embedded) as RouteSource,
    refreshRegistration: async (topic) => {
      await registrar?.sync();
      remote?.invalidate(topic);
    },
    host: config.grpcHost,
    port: config.grpcPort,
    brokerName: config.brokerName,
    ...(config.advertise && { advertise: config.advertise }),
    log: root.child({ component: 'grpc' }),
    metrics: metrics.broker,
    transport,
    ...(otel && { instrument: otel.instrument }),
  });
  const endpoint = config.advertise ?? `${config.grpcHost}:${grpc.port}`;
  storeHost = endpoint;
  transactions.start();
  registrar = new Registrar({
    target: (client ?? embedded) as RegistrationTarget,
    registration: () => ({
      brokerName: config.brokerName,
      brokerGroup: config.brokerGroup ?? config.brokerName,
      endpoint,
      topics: Object.fromEntries(
        topics
          .list()
          .map(([name, t]) => [name, { ...t, perm: permission.writable ? ('RW' as const) : ('R' as const) }]),
      ),
    }),
    intervalMs: config.heartbeatMs,
    log: root.child({ component: 'registrar' }),
  });
  await registrar.start();
  // Draining shows in routes at once, not at the next heartbeat.
  permission.onChange(() => void registrar?.sync());
  const admin = createAdminServer({
    registry: metrics.registry,
    log,
    isReady: () => ready,
    store,
    consumption,
    sessions,
    topics,
    groups,
    permission,
    transactions,
    timers,
    ...(config.adminToken && { adminToken: config.adminToken }),
  });
  const address = await listen(admin, config.adminHost, config.adminPort);
  const adminUrl = `http://${address.address}:${address.port}`;
  ready = true;
  log.info({ dataDir, grpc: endpoint, admin: adminUrl }, 'broker started');
  if (command === 'dev') {
    process.stdout.write(
      [
        '',
        'Rocketry dev broker is up.',
        `  RocketMQ 5 gRPC endpoint:  ${endpoint}   e.g. new Producer({ endpoints: '${endpoint}' })`,
        `  storage:                   ${dataDir}   (topics and consumer groups are created on first use)`,
        `  health and metrics:        ${adminUrl}/healthz  ${adminUrl}/metrics`,
        'Press Ctrl-C to stop.',
        '',
        '',
      ].join('\n'),
    );
  }
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'stopping');
      resolveStop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // Graceful: unregister (routes stop naming this broker), end long polls, let calls finish, then save and flush.
  ready = false;
  await registrar.stop();
  consumption.endPolls();
  await grpc.close();
  await consumption.close();
  await transactions.close();
  await timers.close();
  await otel?.shutdown();
  await new Promise<void>((done) => admin.close(() => done()));
  await store.close();
  log.info('broker stopped');
}
