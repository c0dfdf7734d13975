import { Counter, Gauge, type Registry } from 'prom-client';
import type { TransactionMetrics, Transactions } from '../messaging/transactions/transactions.js';
import { metricNames } from './names.js';

/**
 * Transaction counters (RocketMQ 5's commit and rollback totals per topic, and checks sent or not for want of a
 * connected producer), registered in `registry`.
 */
export function transactionCounters(registry: Registry): TransactionMetrics {
  const commits = new Counter({
    name: metricNames.commitMessages,
    help: 'Transactional messages committed (by the producer, its check answer or the broker)',
    labelNames: ['topic'],
    registers: [registry],
  });
  const rollbacks = new Counter({
    name: metricNames.rollbackMessages,
    help: 'Transactional messages rolled back (by the producer, its check answer or the broker)',
    labelNames: ['topic'],
    registers: [registry],
  });
  const checks = new Counter({
    name: metricNames.transactionChecks,
    help: 'Checks of unresolved transactions; outcome no_producer when no producer of the topic was connected',
    labelNames: ['topic', 'outcome'],
    registers: [registry],
  });
  return {
    recordResolved(topic, resolution) {
      (resolution === 'commit' ? commits : rollbacks).inc({ topic });
    },
    recordCheck(topic, sent) {
      checks.inc({ topic, outcome: sent ? 'sent' : 'no_producer' });
    },
  };
}

/** Unresolved half messages per topic, read from the transaction table when scraped. */
export function registerHalfMessageGauge(registry: Registry, transactions: Pick<Transactions, 'unresolvedByTopic'>) {
  new Gauge({
    name: metricNames.halfMessages,
    help: 'Half messages of unresolved transactions',
    labelNames: ['topic'],
    registers: [registry],
    collect() {
      this.reset();
      for (const row of transactions.unresolvedByTopic()) this.set({ topic: row.topic }, row.unresolved);
    },
  });
}
