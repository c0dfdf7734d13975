import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * The broker's settings from flags and environment (flags win), parsed once in main.ts. Every flag has an
 * environment variable: --data-dir ↔ ROCKETRY_DATA_DIR, --flush ↔ ROCKETRY_FLUSH, and so on.
 */
const BrokerConfig = z.object({
  dataDir: z.string().min(1),
  adminHost: z.string().min(1),
  adminPort: z.coerce.number().int().min(0).max(65535),
  grpcHost: z.string().min(1),
  grpcPort: z.coerce.number().int().min(0).max(65535),
  /** `host:port` that routes carry; the bound address when empty. */
  advertise: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port')
    .optional(),
  autoCreate: z.coerce.boolean(),
  /** Name server `host:port`; without it the broker runs an embedded one (standalone, no extra port). */
  namesrv: z
    .string()
    .regex(/^[^\s:/]+:\d{1,5}$/, 'host:port')
    .optional(),
  brokerName: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, '1-64 of [a-zA-Z0-9_.-]'),
  /** The broker group (replicas of one group share queues); its name by default. */
  brokerGroup: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,64}$/, '1-64 of [a-zA-Z0-9_.-]')
    .optional(),
  heartbeatMs: z.coerce.number().int().min(100).max(60_000),
  /** When set, every admin route but health and readiness requires `Authorization: Bearer <token>`. */
  adminToken: z.string().min(16, 'at least 16 characters').optional(),
  flush: z.enum(['async', 'sync']),
  /**
   * What serves gRPC: the minimal node:http2 server (protocol/grpc/h2-transport.ts), or grpc-js. Unset: h2, or
   * grpc-js when OpenTelemetry is configured (its spans wrap grpc-js handlers).
   */
  grpcTransport: z.enum(['grpc-js', 'h2']).optional(),
  retentionHours: z.coerce.number().positive().max(720),
  segmentMiB: z.coerce.number().int().min(8).max(16384),
  repair: z.coerce.boolean(),
  /** Furthest delivery time of a DELAY message, from now (30 days by default); further is ILLEGAL_DELIVERY_TIME. */
  maxDelayHours: z.coerce.number().positive().max(8760),
  /** Unresolved transactions: how long before (and between) checks with the producer, how many, then what. */
  txnCheckIntervalMs: z.coerce.number().int().min(100).max(86_400_000),
  txnMaxChecks: z.coerce.number().int().min(0).max(1000),
  txnGiveUp: z.enum(['rollback', 'commit']),
  /** Unresolved transactions held at most (about 270 bytes of memory each); transactional sends beyond get 42900. */
  txnMaxUnresolved: z.coerce.number().int().min(1).max(10_000_000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});
export type BrokerConfig = z.infer<typeof BrokerConfig>;

const flags = {
  'data-dir': { type: 'string', env: 'ROCKETRY_DATA_DIR' },
  'admin-host': { type: 'string', env: 'ROCKETRY_ADMIN_HOST' },
  'admin-port': { type: 'string', env: 'ROCKETRY_ADMIN_PORT' },
  'grpc-host': { type: 'string', env: 'ROCKETRY_GRPC_HOST' },
  'grpc-port': { type: 'string', env: 'ROCKETRY_GRPC_PORT' },
  advertise: { type: 'string', env: 'ROCKETRY_ADVERTISE' },
  'auto-create': { type: 'boolean', env: 'ROCKETRY_AUTO_CREATE' },
  namesrv: { type: 'string', env: 'ROCKETRY_NAMESRV' },
  name: { type: 'string', env: 'ROCKETRY_BROKER_NAME', key: 'brokerName' },
  group: { type: 'string', env: 'ROCKETRY_BROKER_GROUP', key: 'brokerGroup' },
  'heartbeat-ms': { type: 'string', env: 'ROCKETRY_HEARTBEAT_MS' },
  'admin-token': { type: 'string', env: 'ROCKETRY_ADMIN_TOKEN' },
  flush: { type: 'string', env: 'ROCKETRY_FLUSH' },
  'grpc-transport': { type: 'string', env: 'ROCKETRY_GRPC_TRANSPORT' },
  'retention-hours': { type: 'string', env: 'ROCKETRY_RETENTION_HOURS' },
  'segment-mib': { type: 'string', env: 'ROCKETRY_SEGMENT_MIB', key: 'segmentMiB' },
  repair: { type: 'boolean', env: 'ROCKETRY_REPAIR' },
  'max-delay-hours': { type: 'string', env: 'ROCKETRY_MAX_DELAY_HOURS' },
  'txn-check-interval-ms': { type: 'string', env: 'ROCKETRY_TXN_CHECK_INTERVAL_MS' },
  'txn-max-checks': { type: 'string', env: 'ROCKETRY_TXN_MAX_CHECKS' },
  'txn-give-up': { type: 'string', env: 'ROCKETRY_TXN_GIVE_UP' },
  'txn-max-unresolved': { type: 'string', env: 'ROCKETRY_TXN_MAX_UNRESOLVED' },
  'log-level': { type: 'string', env: 'ROCKETRY_LOG_LEVEL' },
} as const;

/** A flag, its environment variable, and its config key when that is not the flag in camelCase. */
type FlagSpec = { type: 'string' | 'boolean'; env: string; key?: keyof BrokerConfig };

export class ConfigError extends Error {}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses argv and env over `defaults`; throws ConfigError naming every bad setting. */
export function parseBrokerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: BrokerConfig,
): BrokerConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, { type: v.type }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const merged: Record<string, unknown> = { ...defaults };
  for (const [flag, spec] of Object.entries(flags) as [string, FlagSpec][]) {
    const fromEnv = env[spec.env];
    const value =
      values[flag] ??
      (spec.type === 'boolean' && fromEnv !== undefined ? fromEnv === 'true' || fromEnv === '1' : fromEnv);
    if (value !== undefined) merged[spec.key ?? camel(flag)] = value;
  }
  const parsed = BrokerConfig.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return Object.freeze(parsed.data);
}

export const brokerDefaults: BrokerConfig = {
  dataDir: './data',
  adminHost: '0.0.0.0',
  adminPort: 8082,
  grpcHost: '0.0.0.0',
  grpcPort: 8081,
  autoCreate: false,
  brokerName: 'broker-0',
  heartbeatMs: 10_000,
  flush: 'async',
  retentionHours: 72,
  segmentMiB: 1024,
  repair: false,
  maxDelayHours: 720,
  txnCheckIntervalMs: 30_000,
  txnMaxChecks: 15,
  txnGiveUp: 'rollback',
  txnMaxUnresolved: 200_000,
  logLevel: 'info',
};

/** `rocketry dev`: the local stack on its embedded defaults, storing in ./.rocketry/, on loopback. */
export const devDefaults: BrokerConfig = {
  ...brokerDefaults,
  dataDir: './.rocketry',
  adminHost: '127.0.0.1',
  grpcHost: '127.0.0.1',
  autoCreate: true,
  segmentMiB: 64,
};
