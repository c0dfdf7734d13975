import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Consumption } from '../messaging/pop/consumption.js';
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

/**
 * Consumer backlog per topic and group, read from the pop state when scraped: ready and in-flight messages, and
 * how long the oldest ready message (queueing latency) and the oldest unconsumed one (lag latency) have waited, in ms.
 */
export function registerConsumerGauges(registry: Registry, consumption: Pick<Consumption, 'lag' | 'groups'>): void {
  const labelNames = ['topic', 'consumer_group'] as const;
  type Row = { topic: string; group: string; ready: number; inflight: number; queueing: number; lag: number };
  let scrape: Promise<Row[]> | undefined;
  // One pass over the pop state serves all four gauges of a scrape.
  const rows = () => {
    scrape ??= collectRows().finally(() => {
      setImmediate(() => {
        scrape = undefined;
      });
    });
    return scrape;
  };
  const collectRows = async (): Promise<Row[]> => {
    const byKey = new Map<string, Row>();
    for (const group of consumption.groups()) {
      for (const q of await consumption.lag(group)) {
        const key = `${q.topic}\u0000${group}`;
        const row = byKey.get(key) ?? { topic: q.topic, group, ready: 0, inflight: 0, queueing: 0, lag: 0 };
        row.ready += q.ready;
        row.inflight += q.inflight;
        row.queueing = Math.max(row.queueing, q.oldestReadyAgeMs ?? 0);
        row.lag = Math.max(row.lag, q.oldestUnconsumedAgeMs ?? 0);
        byKey.set(key, row);
      }
    }
    return [...byKey.values()];
  };
  const gauge = (name: string, help: string, value: (row: Row) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await rows()) this.set({ topic: row.topic, consumer_group: row.group }, value(row));
      },
    });
  gauge(metricNames.consumerReady, 'Messages waiting for a delivery to the group', (r) => r.ready);
  gauge(metricNames.consumerInflight, 'Messages delivered to the group and not acked yet', (r) => r.inflight);
  gauge(metricNames.consumerQueueingLatency, 'Milliseconds the oldest ready message has waited', (r) => r.queueing);
  gauge(metricNames.consumerLagLatency, 'Milliseconds since the oldest unconsumed message was stored', (r) => r.lag);
}
