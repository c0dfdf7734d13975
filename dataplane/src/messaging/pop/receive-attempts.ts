/** How long a receive's answer is kept for a retry with the same attempt id, and how many answers are kept. */
const ATTEMPT_TTL_MS = 60_000;
const MAX_ATTEMPTS_KEPT = 10_000;

/**
 * Answers of push consumers' polls by (client, attempt id), so a retried poll gets the same messages under the same
 * handles (PROTOCOL.md §7.6). Bounded: expired answers go first, then all of them.
 */
export class ReceiveAttempts<T> {
  private readonly kept = new Map<string, { answer: T[]; expires: number }>();

  /** What is kept for the attempt and still `current`. */
  repeated(clientId: string, attemptId: string, now: number, current: (item: T) => boolean): T[] {
    const key = `${clientId}\u0000${attemptId}`;
    const kept = this.kept.get(key);
    if (!kept) return [];
    if (kept.expires <= now) {
      this.kept.delete(key);
      return [];
    }
    return kept.answer.filter(current);
  }

  remember(clientId: string, attemptId: string, now: number, answer: T[]): void {
    if (this.kept.size >= MAX_ATTEMPTS_KEPT) {
      for (const [key, kept] of this.kept) if (kept.expires <= now) this.kept.delete(key);
      if (this.kept.size >= MAX_ATTEMPTS_KEPT) this.kept.clear();
    }
    this.kept.set(`${clientId}\u0000${attemptId}`, { answer, expires: now + ATTEMPT_TTL_MS });
  }
}
