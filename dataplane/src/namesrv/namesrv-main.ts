import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { systemClock } from '../lib/clock.js';
import { startNameServer } from './namesrv-server.js';
import { DEFAULT_EXPIRY_MS } from './route-table.js';

const NameServerConfig = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  expiryMs: z.coerce.number().int().min(100).max(600_000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

/**
 * `rocketry namesrv [--host 0.0.0.0] [--port 9876] [--expiry-ms 20000] [--log-level info]` (or ROCKETRY_NAMESRV_HOST,
 * _PORT, _EXPIRY_MS, ROCKETRY_LOG_LEVEL): serves broker registration and routes until SIGINT/SIGTERM.
 */
export async function main(argv: readonly string[]): Promise<void> {
  let config: z.infer<typeof NameServerConfig>;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'expiry-ms': { type: 'string' },
        'log-level': { type: 'string' },
      },
      strict: true,
    });
    const env = process.env;
    const parsed = NameServerConfig.safeParse({
      host: values.host ?? env.ROCKETRY_NAMESRV_HOST ?? '0.0.0.0',
      port: values.port ?? env.ROCKETRY_NAMESRV_PORT ?? 9876,
      expiryMs: values['expiry-ms'] ?? env.ROCKETRY_NAMESRV_EXPIRY_MS ?? DEFAULT_EXPIRY_MS,
      logLevel: values['log-level'] ?? env.ROCKETRY_LOG_LEVEL ?? 'info',
    });
    if (!parsed.success)
      throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    config = parsed.data;
  } catch (err) {
    process.stderr.write(`rocketry namesrv: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const log = pino({ level: config.logLevel }).child({ component: 'namesrv' });
  const server = await startNameServer({
    host: config.host,
    port: config.port,
    expiryMs: config.expiryMs,
    log,
    clock: systemClock,
    processMetrics: true,
  });
  log.info({ address: `${config.host}:${server.port}`, expiryMs: config.expiryMs }, 'name server started');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  log.info('name server stopped');
}
