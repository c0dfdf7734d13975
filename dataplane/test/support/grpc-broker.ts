import { type Client, credentials, Metadata, makeGenericClientConstructor } from '@grpc/grpc-js';
import { type TempDir, tempDir } from '@rocketry/testkit';
import { systemClock } from '../../src/lib/clock.js';
import { BrokerPermission } from '../../src/messaging/broker-permission.js';
import { Groups } from '../../src/messaging/groups.js';
import { Topics, type TopicsOptions } from '../../src/messaging/topics.js';
import type { GrpcMetrics } from '../../src/metrics/broker-metrics.js';
import { EmbeddedRouteSource } from '../../src/namesrv/route-source.js';
import { RouteTable } from '../../src/namesrv/route-table.js';
import {
  type GrpcServer,
  type GrpcServerOptions,
  loadMessagingService,
  startGrpcServer,
} from '../../src/protocol/grpc/server.js';
import type { MessageStore } from '../../src/storage/message-store.js';
import { openStore, silentLog, testConfig } from './store.js';

/** A real broker on 127.0.0.1:0 over a temp dir: storage, topics and the gRPC server. */
export interface GrpcBroker {
  readonly dir: TempDir;
  readonly store: MessageStore;
  readonly topics: Topics;
  readonly server: GrpcServer;
  readonly groups: Groups;
  readonly permission: BrokerPermission;
  readonly endpoint: string;
  close(): Promise<void>;
}

/** A gRPC server on 127.0.0.1:0 over the given broker parts, standalone: routes fall back to this broker alone. */
export function startStandaloneGrpc(
  parts: Pick<GrpcServerOptions, 'store' | 'topics' | 'groups' | 'permission' | 'settingsRepeatMs' | 'metrics'>,
): Promise<GrpcServer> {
  return startGrpcServer({
    ...parts,
    routes: new EmbeddedRouteSource(new RouteTable(), systemClock),
    host: '127.0.0.1',
    port: 0,
    log: silentLog,
    shutdownGraceMs: 500,
  });
}

export async function startBroker(
  options: TopicsOptions & { settingsRepeatMs?: number; metrics?: GrpcMetrics },
): Promise<GrpcBroker> {
  const dir = await tempDir();
  const store = await openStore(testConfig(dir.path));
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
  });
  return {
    dir,
    store,
    topics,
    groups,
    permission,
    server,
    endpoint: `127.0.0.1:${server.port}`,
    async close() {
      await server.close();
      await store.close();
      await dir.remove();
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
