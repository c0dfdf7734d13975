/**
 * When the broker asks a producer about a transaction it left unresolved (PROTOCOL.md §7.10), and when it stops
 * asking. Pure: the clock and the table come in as arguments.
 */
export interface CheckPolicy {
  /** How long a half message waits, after it was stored and after each check, before the next check. */
  readonly checkIntervalMs: number;
  /** Checks sent before the broker resolves the transaction itself. */
  readonly maxChecks: number;
  /** What the broker does once `maxChecks` checks went unanswered for another interval. */
  readonly giveUp: 'rollback' | 'commit';
}

export interface CheckClock {
  /** Checks sent so far. */
  readonly checks: number;
  /** Epoch ms the last check was sent; when none was, the time the half message was stored (or the broker opened). */
  readonly since: number;
}

export type CheckAction = 'wait' | 'check' | 'give-up';

export function checkAction(entry: CheckClock, now: number, policy: CheckPolicy): CheckAction {
  if (now - entry.since < policy.checkIntervalMs) return 'wait';
  return entry.checks >= policy.maxChecks ? 'give-up' : 'check';
}

/**
 * Up to `max` entries whose time has come, with what to do about each, oldest (`since`) first. Entries that are busy
 * (being resolved or moved) are left for a later pass. O(n log max): after an outage every entry can be due at once,
 * and the broker must not sort them all on every pass.
 */
export function dueActions<E extends CheckClock & { readonly busy: boolean }>(
  entries: Iterable<E>,
  now: number,
  policy: CheckPolicy,
  max: number,
): { entry: E; action: Exclude<CheckAction, 'wait'> }[] {
  if (max <= 0) return [];
  // A max-heap on `since` holding the `max` oldest due entries seen so far; its root is the newest of them.
  const heap: E[] = [];
  const newer = (a: E, b: E) => a.since > b.since;
  for (const entry of entries) {
    if (entry.busy || checkAction(entry, now, policy) === 'wait') continue;
    if (heap.length < max) {
      heap.push(entry);
      siftUp(heap, heap.length - 1, newer);
    } else if (entry.since < (heap[0] as E).since) {
      heap[0] = entry;
      siftDown(heap, 0, newer);
    }
  }
  return heap
    .sort((a, b) => a.since - b.since)
    .map((entry) => ({ entry, action: checkAction(entry, now, policy) as Exclude<CheckAction, 'wait'> }));
}

function siftUp<T>(heap: T[], at: number, above: (a: T, b: T) => boolean): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!above(heap[at] as T, heap[parent] as T)) return;
    [heap[at], heap[parent]] = [heap[parent] as T, heap[at] as T];
    at = parent;
  }
}

function siftDown<T>(heap: T[], at: number, above: (a: T, b: T) => boolean): void {
  for (;;) {
    const left = 2 * at + 1;
    const right = left + 1;
    let top = at;
    if (left < heap.length && above(heap[left] as T, heap[top] as T)) top = left;
    if (right < heap.length && above(heap[right] as T, heap[top] as T)) top = right;
    if (top === at) return;
    [heap[at], heap[top]] = [heap[top] as T, heap[at] as T];
    at = top;
  }
}
