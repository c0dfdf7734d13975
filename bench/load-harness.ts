import { Samples } from './stats.js';

/** The measuring loops every system shares, so each figure of the gRPC suite is taken the same way. */

export interface Window {
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface ClosedLoopResult {
  /** Messages acknowledged inside the measured window, per second. */
  readonly messagesPerSec: number;
  /** Every message acknowledged, warm-up and tail included: what a consumer will find. */
  readonly totalMessages: number;
  /** Latency of one operation (a call, a batch), in ms, inside the measured window. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * `concurrency` workers each run `op` back to back until the window closes; `op` resolves with how many messages it
 * got acknowledged. A rejected `op` fails the whole run: an error is never counted as throughput.
 */
export async function closedLoop(
  concurrency: number,
  window: Window,
  op: (worker: number) => Promise<number>,
): Promise<ClosedLoopResult> {
  const started = performance.now();
  const measureFrom = started + window.warmupMs;
  const end = measureFrom + window.durationMs;
  const latencies = new Samples();
  let measured = 0;
  let total = 0;
  let failure: unknown;
  const worker = async (id: number) => {
    while (failure === undefined) {
      const before = performance.now();
      if (before >= end) return;
      let count: number;
      try {
        count = await op(id);
      } catch (err) {
        failure ??= err;
        return;
      }
      const after = performance.now();
      total += count;
      if (before >= measureFrom && after <= end) {
        measured += count;
        latencies.push(after - before);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  if (failure !== undefined) throw failure;
  const [p50Ms = Number.NaN, p99Ms = Number.NaN] = latencies.percentiles(0.5, 0.99);
  // Operations that straddle the window's edges are left out of `measured`; the window itself is the divisor.
  return { messagesPerSec: measured / (window.durationMs / 1000), totalMessages: total, p50Ms, p99Ms };
}

export interface DrainResult {
  readonly consumed: number;
  readonly messagesPerSec: number;
  readonly seconds: number;
  /** Whether the whole backlog came back before the time cap. */
  readonly drained: boolean;
}

/** Counts consumed messages against a backlog; `done` resolves once it is drained or the cap is reached. */
export class DrainCounter {
  private consumed = 0;
  private readonly started = performance.now();
  private finishedAt: number | undefined;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => {
    this.resolveDone = resolve;
  });
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly expected: number,
    capMs: number,
  ) {
    this.timer = setTimeout(() => this.finish(), capMs);
    this.timer.unref();
    if (expected <= 0) this.finish();
  }

  get finished(): boolean {
    return this.finishedAt !== undefined;
  }

  add(count: number): void {
    if (this.finished) return;
    this.consumed += count;
    if (this.consumed >= this.expected) this.finish();
  }

  result(): DrainResult {
    const seconds = ((this.finishedAt ?? performance.now()) - this.started) / 1000;
    return {
      consumed: this.consumed,
      messagesPerSec: this.consumed / seconds,
      seconds,
      drained: this.consumed >= this.expected,
    };
  }

  private finish(): void {
    if (this.finished) return;
    this.finishedAt = performance.now();
    clearTimeout(this.timer);
    this.resolveDone();
  }
}

/**
 * Publish→consume latency at a fixed rate. Each body carries its scheduled send time (float64 at byte 0, this
 * process's performance.now()) and a sequence number (uint32 at byte 8); latency runs from the scheduled time, so a
 * publisher that falls behind shows up as latency instead of hiding it (no coordinated omission).
 */
export interface PacedTarget {
  /** Subscribes; resolves once the consumer is in place, before anything is published. */
  start(onReceive: (body: Uint8Array) => void): Promise<void>;
  /** Publishes bodies that fell due together; failures are counted by the target and reported as `errors`. */
  publish(bodies: Buffer[]): void;
  readonly errors: number;
  /** The first publish failure, for the report. */
  readonly firstError?: unknown;
  stop(): Promise<void>;
}

export interface LatencyResult {
  readonly ratePerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly measured: number;
  /** Measured messages that arrived, per second from the first one's scheduled send to the last arrival. */
  readonly deliveredPerSec: number;
  /** Measured messages that never arrived within the grace time. */
  readonly lost: number;
  readonly duplicates: number;
  readonly publishErrors: number;
  readonly firstPublishError?: string;
}

export interface PacedOptions extends Window {
  readonly ratePerSec: number;
  readonly bodyBytes: number;
  readonly graceMs: number;
  /** How often due messages go out (together, one publish call for the gRPC target); 1 ms by default. */
  readonly tickMs?: number;
}

export async function pacedLatency(target: PacedTarget, options: PacedOptions): Promise<LatencyResult> {
  const tickMs = options.tickMs ?? 1;
  const total = Math.round(((options.warmupMs + options.durationMs) / 1000) * options.ratePerSec);
  const firstMeasured = Math.round((options.warmupMs / 1000) * options.ratePerSec);
  const seen = new Uint8Array(total);
  const latencies = new Samples();
  let received = 0;
  let duplicates = 0;
  let lastArrival = 0;
  let allArrived: () => void = () => {};
  const arrived = new Promise<void>((resolve) => {
    allArrived = resolve;
  });
  await target.start((body) => {
    const now = performance.now();
    const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const seq = view.readUInt32LE(8);
    if (seq >= total) return;
    if (seen[seq]) {
      duplicates++;
      return;
    }
    seen[seq] = 1;
    if (seq >= firstMeasured) {
      latencies.push(now - view.readDoubleLE(0));
      lastArrival = now;
    }
    if (++received === total) allArrived();
  });
  const started = performance.now() + tickMs;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.ratePerSec) + 1);
      if (due > sent) {
        const bodies: Buffer[] = [];
        for (; sent < due; sent++) {
          const body = Buffer.alloc(options.bodyBytes, 0x61);
          body.writeDoubleLE(started + (sent / options.ratePerSec) * 1000, 0);
          body.writeUInt32LE(sent, 8);
          bodies.push(body);
        }
        target.publish(bodies);
      }
      if (sent < total) setTimeout(tick, tickMs);
      else resolve();
    };
    setTimeout(tick, tickMs);
  });
  await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, options.graceMs).unref())]);
  await target.stop();
  // A message that never arrived took forever: lost ones rank last, so losing over 1 % makes p99 infinite.
  const delivered = latencies.count;
  const lost = total - firstMeasured - delivered;
  const measureFrom = started + (firstMeasured / options.ratePerSec) * 1000;
  for (let i = 0; i < lost; i++) latencies.push(Number.POSITIVE_INFINITY);
  const [p50Ms = Number.NaN, p99Ms = Number.NaN, maxMs = Number.NaN] = latencies.percentiles(0.5, 0.99, 1);
  return {
    ratePerSec: options.ratePerSec,
    p50Ms,
    p99Ms,
    maxMs,
    measured: total - firstMeasured,
    deliveredPerSec: delivered === 0 ? 0 : delivered / ((lastArrival - measureFrom) / 1000),
    lost,
    duplicates,
    publishErrors: target.errors,
    ...(target.firstError !== undefined && { firstPublishError: String(target.firstError) }),
  };
}
