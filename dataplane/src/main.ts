import { resolve } from 'node:path';
import { pino } from 'pino';
import { createAdminServer, listen } from './admin/admin-server.js';
import { type BrokerConfig, brokerDefaults, ConfigError, devDefaults, parseBrokerConfig } from './config.js';
import { systemClock } from './lib/clock.js';
import { createRegistry } from './metrics/registry.js';
import { MessageStore } from './storage/message-store.js';
import { storeConfig } from './storage/store-config.js';

/**
 * Entry point of `rocketry broker` and `rocketry dev`: parses settings once, opens storage (running recovery), serves
 * health and metrics, and closes everything in order on SIGINT/SIGTERM.
 */
export async function main(command: 'broker' | 'dev', argv: readonly string[]): Promise<void> {
  let config: BrokerConfig;
  try {
    config = parseBrokerConfig(argv, process.env, command === 'dev' ? devDefaults : brokerDefaults);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`rocketry ${command}: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  const root = pino({ level: config.logLevel });
  const log = root.child({ component: 'broker' });
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
  const admin = createAdminServer({ registry: createRegistry(store), log, isReady: () => ready });
  const address = await listen(admin, config.adminHost, config.adminPort);
  ready = true;
  log.info({ dataDir, admin: `http://${address.address}:${address.port}` }, 'broker started');
  if (command === 'dev') {
    process.stdout.write(
      `\nRocketry dev broker is up.\n  storage:  ${dataDir}\n  health:   http://${address.address}:${address.port}/healthz\n  metrics:  http://${address.address}:${address.port}/metrics\n  (the RocketMQ gRPC endpoint on 127.0.0.1:8081 arrives with issue #3)\nPress Ctrl-C to stop.\n\n`,
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
  ready = false;
  await new Promise<void>((done) => admin.close(() => done()));
  await store.close();
  log.info('broker stopped');
}
