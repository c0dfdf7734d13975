/**
 * Watches the event loop this process shares between the fuzzing client and the brokers: a tick every `tickMs`, and
 * how late each tick came. Long polls end a fixed 300 ms before the client's deadline, so a stalled loop (a burst of
 * big requests, garbage collection) can make an answer miss its deadline without any fault of the handler; the
 * judge asks how stalled the loop was before blaming the broker.
 */
export class LoopLag {
  /** `[at, lateMs]` of ticks that came later than the noise floor, oldest first; at is `performance.now()`. */
  private readonly late: [number, number][] = [];
  private readonly timer: NodeJS.Timeout;
  private last = performance.now();
  maxStallMs = 0;

  constructor(
    private readonly tickMs = 10,
    private readonly keepMs = 60_000,
  ) {
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  /** Total lateness of the loop between two instants (`performance.now()`). */
  stalledMs(from: number, to: number): number {
    let total = 0;
    for (const [at, lateMs] of this.late) {
      if (at - lateMs > to) break;
      if (at >= from) total += lateMs;
    }
    return total;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = performance.now();
    const lateMs = now - this.last - this.tickMs;
    this.last = now;
    if (lateMs < 20) return;
    this.maxStallMs = Math.max(this.maxStallMs, lateMs);
    this.late.push([now, lateMs]);
    while ((this.late[0]?.[0] ?? now) < now - this.keepMs) this.late.shift();
  }
}
