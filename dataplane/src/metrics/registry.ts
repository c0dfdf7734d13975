import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { MessageStore } from '../storage/message-store.js';
import { BrokerMetrics } from './broker-metrics.js';
import { metricNames } from './names.js';

export interface BrokerRegistry {
  /** What `/metrics` exposes. */
  readonly registry: Registry;
  /** The gRPC path's counters, registered in `registry`. */
  readonly broker: BrokerMetrics;
}

/**
 * The process's Prometheus registry. Storage figures are read when scraped (collect callbacks), so the append path
 * pays nothing for them.
 */
export function createRegistry(store: MessageStore): BrokerRegistry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge(metricNames.storageSize, 'Bytes of commit-log data on disk', () => Number(store.maxOffset - store.minOffset));
  gauge(metricNames.flushBehindBytes, 'Bytes written but not yet fdatasync\u2019d', () =>
    Number(store.stats().flushBehindBytes),
  );
  gauge(metricNames.dispatchBehindBytes, 'Bytes appended but not yet in consume queues and index', () =>
    Number(store.stats().dispatchBehindBytes),
  );
  gauge(metricNames.commitLogMinOffset, 'Lowest commit-log offset still stored', () => Number(store.minOffset));
  gauge(metricNames.commitLogMaxOffset, 'Commit-log offset after the last written record', () =>
    Number(store.maxOffset),
  );
  gauge(
    metricNames.storageOpenSeconds,
    'Time the last open (recovery included) took',
    () => store.openReport.openMs / 1000,
  );
  return { registry, broker: new BrokerMetrics(registry) };
}
