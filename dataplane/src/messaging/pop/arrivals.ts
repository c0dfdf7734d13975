/**
 * Wakes long polls: a receive with nothing to deliver waits on its topic until a message arrives, an entry becomes
 * visible again early (a nack), or its timeout. Waiters are held per topic, so a wake costs nothing for other topics.
 */
export class Arrivals {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves on the next `notify` of one of `topics`, after `ms`, or when `signal` aborts, whichever is first. */
  wait(topics: readonly string[], ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        for (const topic of topics) {
          const set = this.waiters.get(topic);
          set?.delete(done);
          if (set?.size === 0) this.waiters.delete(topic);
        }
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done);
      for (const topic of topics) {
        let set = this.waiters.get(topic);
        if (!set) {
          set = new Set();
          this.waiters.set(topic, set);
        }
        set.add(done);
      }
    });
  }

  notify(topic: string): void {
    const set = this.waiters.get(topic);
    if (set) for (const wake of [...set]) wake();
  }

  /** Wakes every waiter (shutdown: long polls end at once). */
  notifyAll(): void {
    for (const topic of [...this.waiters.keys()]) this.notify(topic);
  }
}
