import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { stateOf } from './route.js';

/** Metric names of the API (one place, as in the dataplane's metrics/names.ts). */
export const METRIC_NAMES = {
  requests: 'rocketry_api_requests_total',
  duration: 'rocketry_api_request_duration_seconds',
} as const;

/** Counts and times every request by method, route template (never the raw path: ids would explode the labels), status. */
export function requestMetrics(registry: Registry): RequestHandler {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: METRIC_NAMES.requests,
    help: 'HTTP requests',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: METRIC_NAMES.duration,
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const labels = { method: req.method, route: stateOf(res).route ?? 'unmatched', status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
