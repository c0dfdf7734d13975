import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type Clock, systemClock } from '../lib/clock.js';
import { createNameServerApp } from './namesrv-app.js';
import { createNameServerMetrics } from './namesrv-metrics.js';
import { DEFAULT_EXPIRY_MS, RouteTable } from './route-table.js';

const CLOSE_GRACE_MS = 1000;

export interface NameServerOptions {
  readonly host: string;
  /** 0 picks a free port; `rocketry namesrv` uses 9876. */
  readonly port: number;
  readonly log: Logger;
  readonly clock?: Clock;
  /** A broker silent this long drops out of routes (default 30 s; brokers heartbeat every 10 s). */
  readonly expiryMs?: number;
  /** Adds the process metrics (CPU, memory, event loop) to /metrics: on for the `rocketry namesrv` process. */
  readonly processMetrics?: boolean;
}

export interface NameServer {
  readonly port: number;
  readonly table: RouteTable;
  close(): Promise<void>;
}

/** Serves the name server's HTTP/JSON API and sweeps expired brokers; `close()` stops both. */
export async function startNameServer(options: NameServerOptions): Promise<NameServer> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const table = new RouteTable({ expiryMs: options.expiryMs ?? DEFAULT_EXPIRY_MS });
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const metrics = createNameServerMetrics(registry, () => table.list(clock.now()).length);
  const app = createNameServerApp({ table, clock, log, registry, metrics });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  // Reads already ignore expired brokers; the sweep frees memory and makes expirations visible in logs and metrics.
  const sweepMs = Math.min(5000, Math.max(50, Math.floor(table.expiryMs / 3)));
  const sweeper = setInterval(() => {
    const expired = table.expire(clock.now());
    if (expired.length === 0) return;
    metrics.expired(expired.length);
    log.warn({ brokers: expired, expiryMs: table.expiryMs }, 'brokers expired');
  }, sweepMs);
  sweeper.unref();
  log.info({ host: options.host, port, expiryMs: table.expiryMs }, 'name server listening');

  return {
    port,
    table,
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(sweeper);
        // Requests in progress get a moment to finish; idle keep-alive connections would hold close() open forever.
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close((err) => {
          clearTimeout(force);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
