import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * The control plane's settings from flags and environment (flags win), parsed once in main.ts. Without a database URL
 * the API stores in embedded PGlite under `<dataDir>/api-db`.
 */
const printable = /^[\x21-\x7e]+$/;
export const ApiConfig = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  /** postgres://…; unset means embedded PGlite in the data dir. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .optional(),
  dataDir: z.string().min(1),
  /** Pool size on Postgres. */
  databasePoolSize: z.coerce.number().int().min(1).max(500),
  /** Becomes the platform admin key on the first start, when no key exists yet. */
  bootstrapKey: z.string().min(16, 'at least 16 characters').regex(printable, 'printable ASCII, no spaces').optional(),
  /** Server-side secret mixed into the HMAC of API-key secrets (changing it invalidates every key). */
  keyPepper: z.string().min(16, 'at least 16 characters'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});
export type ApiConfig = z.infer<typeof ApiConfig>;

type FlagSpec = { type: 'string'; env: readonly string[]; key: keyof ApiConfig };
const flags: Record<string, FlagSpec> = {
  host: { type: 'string', env: ['ROCKETRY_API_HOST'], key: 'host' },
  port: { type: 'string', env: ['ROCKETRY_API_PORT'], key: 'port' },
  'database-url': { type: 'string', env: ['ROCKETRY_DATABASE_URL', 'DATABASE_URL'], key: 'databaseUrl' },
  'data-dir': { type: 'string', env: ['ROCKETRY_DATA_DIR'], key: 'dataDir' },
  'database-pool-size': { type: 'string', env: ['ROCKETRY_DATABASE_POOL_SIZE'], key: 'databasePoolSize' },
  'bootstrap-key': { type: 'string', env: ['ROCKETRY_BOOTSTRAP_KEY'], key: 'bootstrapKey' },
  'key-pepper': { type: 'string', env: ['ROCKETRY_API_KEY_PEPPER'], key: 'keyPepper' },
  'log-level': { type: 'string', env: ['ROCKETRY_LOG_LEVEL'], key: 'logLevel' },
};

export class ConfigError extends Error {}

export const apiDefaults: ApiConfig = {
  host: '0.0.0.0',
  port: 8080,
  dataDir: './.rocketry',
  databasePoolSize: 20,
  keyPepper: 'rocketry-api-key-pepper-v1',
  logLevel: 'info',
};

/** Parses argv and env over `defaults`; throws ConfigError naming every bad setting (never echoing a value). */
export function parseApiConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: ApiConfig = apiDefaults,
): ApiConfig {
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
  for (const [flag, spec] of Object.entries(flags)) {
    const fromEnv = spec.env.map((name) => env[name]).find((v) => v !== undefined && v !== '');
    const value = values[flag] ?? fromEnv;
    if (value !== undefined) merged[spec.key] = value;
  }
  const parsed = ApiConfig.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return Object.freeze(parsed.data);
}
