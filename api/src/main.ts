import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app.js';
import { type ApiConfig, ConfigError, parseApiConfig } from './config.js';
import { type DatabaseTarget, openDatabase, ping } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { deleteIdempotencyKeysBefore } from './db/repositories/idempotency.repository.js';
import { createServices } from './services/create-services.js';

export const usage = `usage: rocketry api [--port 8080] [--host 0.0.0.0] [--database-url URL] [--data-dir DIR]
                    [--database-pool-size 20] [--bootstrap-key KEY] [--key-pepper SECRET] [--log-level info]
  Without --database-url (or DATABASE_URL) the API stores in embedded PGlite under <data-dir>/api-db.
  ROCKETRY_BOOTSTRAP_KEY (16+ printable characters) becomes the platform admin key on the first start.
`;

const SHUTDOWN_GRACE_MS = 10_000;
/** Idempotency keys are honoured for a day, swept hourly. */
const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const IDEMPOTENCY_SWEEP_MS = 3600_000;

/** Entry point of `rocketry api`: settings, database and migrations, bootstrap key, HTTP server, clean shutdown. */
export async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return;
  }
  let config: ApiConfig;
  try {
    config = parseApiConfig(argv, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`rocketry api: ${err.message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const root = pino({ level: config.logLevel });
  const log = root.child({ component: 'api' });
  const target: DatabaseTarget = config.databaseUrl
    ? {
        kind: 'postgres',
        url: config.databaseUrl,
        poolSize: config.databasePoolSize,
        onIdleError: (err) => log.warn({ err }, 'idle database connection failed'),
      }
    : { kind: 'pglite', dataDir: resolve(config.dataDir, 'api-db') };
  const database = await openDatabase(target);
  const applied = await migrateToLatest(database.db);
  log.info({ database: target.kind, migrations: applied }, 'database migrated');

  const services = createServices(database.db, { keyPepper: config.keyPepper, log: root });
  if (config.bootstrapKey) {
    const outcome = await services.apiKeys.bootstrap(config.bootstrapKey);
    log.info({ outcome }, outcome === 'created' ? 'bootstrap key installed' : 'bootstrap key ignored: keys exist');
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const app = createApp({ services, log, registry, ready: () => ping(database.db) });
  const server: Server = await new Promise((ok, fail) => {
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? fail(err) : ok(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info(
    { url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`, database: target.kind },
    'api started',
  );

  const sweep = setInterval(() => {
    deleteIdempotencyKeysBefore(database.db, new Date(Date.now() - IDEMPOTENCY_TTL_MS)).then(
      (deleted) => log.debug({ deleted }, 'idempotency keys swept'),
      (err: unknown) => log.warn({ err }, 'idempotency key sweep failed'),
    );
  }, IDEMPOTENCY_SWEEP_MS);
  sweep.unref();

  const stop = async (signal: string) => {
    log.info({ signal }, 'api stopping');
    clearInterval(sweep);
    // Finish requests in flight (bounded), then close the database they use.
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(force);
    await database.close();
    log.info('api stopped');
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
