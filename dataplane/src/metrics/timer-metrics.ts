import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TimerMetrics, TimerService } from '../messaging/timers/timer-service.js';
import { metricNames } from './names.js';

/** Seconds a timer fired after its delivery time: the tick is 20 ms, so most land in the first buckets. */
const LATENESS_BUCKETS_S = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 60];

/** Fired timers per topic and how late they fired; recorded once per fired batch and topic. */
export function timerCounters(registry: Registry): TimerMetrics {
  const fired = new Counter({
    name: metricNames.timersFired,
    help: 'DELAY messages delivered to their topic when due',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const lateness = new Histogram({
    name: metricNames.timerLateness,
    help: 'Seconds between a DELAY message\u2019s delivery time and its storing in its topic',
    buckets: LATENESS_BUCKETS_S,
    registers: [registry],
  });
  return {
    recordFired(topic, latenessMs) {
      fired.inc({ topic }, latenessMs.length);
      for (const ms of latenessMs) lateness.observe(ms / 1000);
    },
  };
}

/** Pending timers per topic, read from the timer service when scraped. */
export function registerPendingTimersGauge(registry: Registry, timers: Pick<TimerService, 'pendingPerTopic'>): void {
  new Gauge({
    name: metricNames.timersPending,
    help: 'DELAY messages scheduled and neither delivered nor recalled yet',
    labelNames: ['topic'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const row of timers.pendingPerTopic()) this.set({ topic: row.topic }, row.pending);
    },
  });
}
