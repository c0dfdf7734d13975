import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The operator's metric names (RocketMQ has none for operators; ours are `rocketry_operator_*`). */
export const METRIC = {
  reconcileTotal: 'rocketry_operator_reconcile_total',
  reconcileErrors: 'rocketry_operator_reconcile_errors_total',
  reconcileDuration: 'rocketry_operator_reconcile_duration_seconds',
  queueDepth: 'rocketry_operator_queue_depth',
  leader: 'rocketry_operator_leader',
} as const;

/** One registry per operator instance (no process-global default registry: tests run several in one process). */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: METRIC.reconcileTotal,
    help: 'Reconciles by kind and result (success, requeue, error, terminal).',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: METRIC.reconcileErrors,
    help: 'Reconciles that threw, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: METRIC.reconcileDuration,
    help: 'Reconcile duration by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: METRIC.queueDepth,
    help: 'Keys waiting in the work queue, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: METRIC.leader,
    help: '1 while this instance holds the leader Lease.',
    registers: [this.registry],
  });
}
