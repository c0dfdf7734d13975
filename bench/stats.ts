/** Latency samples in ms, in one growing typed array: millions of boxed numbers would distort the memory we measure. */
export class Samples {
  private values = new Float64Array(1 << 16);
  private length = 0;

  get count(): number {
    return this.length;
  }

  push(value: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }

  /** Nearest-rank percentiles, `ps` in [0, 1]; NaN when there are no samples. */
  percentiles(...ps: number[]): number[] {
    const sorted = this.values.slice(0, this.length).sort();
    return ps.map((p) => quantile(sorted, p));
  }
}

export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** (max − min) ÷ median: how much the repeats disagree. */
export function spread(values: readonly number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values);
}
