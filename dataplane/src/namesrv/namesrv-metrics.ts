import { Counter, Gauge, type Registry } from 'prom-client';
import type { RegisterResult } from './route-table.js';

/** Metric names of the name server (move to metrics/names.ts when that file is shared with it). */
export const namesrvMetricNames = {
  liveBrokers: 'rocketry_namesrv_live_brokers',
  registrations: 'rocketry_namesrv_registrations_total',
  unregistrations: 'rocketry_namesrv_unregistrations_total',
  expirations: 'rocketry_namesrv_expirations_total',
} as const;

/** What the name server counts; the gauge is read from the table when scraped. */
export interface NameServerMetrics {
  registered(kind: RegisterResult['kind']): void;
  unregistered(): void;
  expired(count: number): void;
}

export function createNameServerMetrics(registry: Registry, liveBrokers: () => number): NameServerMetrics {
  new Gauge({
    name: namesrvMetricNames.liveBrokers,
    help: 'Brokers whose last heartbeat is within the expiry',
    registers: [registry],
    collect() {
      this.set(liveBrokers());
    },
  });
  const registrations = new Counter({
    name: namesrvMetricNames.registrations,
    help: 'Broker registrations and heartbeats accepted, by kind (registered, refreshed, moved)',
    labelNames: ['kind'],
    registers: [registry],
  });
  const unregistrations = new Counter({
    name: namesrvMetricNames.unregistrations,
    help: 'Brokers removed by an unregister request',
    registers: [registry],
  });
  const expirations = new Counter({
    name: namesrvMetricNames.expirations,
    help: 'Brokers dropped because their heartbeats stopped',
    registers: [registry],
  });
  return {
    registered: (kind) => registrations.inc({ kind }),
    unregistered: () => unregistrations.inc(),
    expired: (count) => expirations.inc(count),
  };
}
