import type { ClosedLoopResult, DrainResult, LatencyResult } from './load-harness.js';

/** What one round measures of a broker used as a baseline (NATS JetStream, RabbitMQ). */
export interface BaselineRound {
  /** Acknowledged (confirmed) publishes with a window in flight. */
  readonly publish: ClosedLoopResult;
  /** The publish run's backlog, consumed and acked. */
  readonly consume: DrainResult;
  /** Publish→consume at a fixed rate. */
  readonly latency: LatencyResult;
}
