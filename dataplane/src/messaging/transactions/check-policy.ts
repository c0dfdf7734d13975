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
 * Up to `max` entries whose time has come, with what to do about each, oldest first (the order of `entries` is kept
 * among equally late ones). Entries that are busy (being resolved or moved) are left for a later pass.
 */
export function dueActions<E extends CheckClock & { readonly busy: boolean }>(
  entries: Iterable<E>,
  now: number,
  policy: CheckPolicy,
  max: number,
): { entry: E; action: Exclude<CheckAction, 'wait'> }[] {
  const due: { entry: E; action: Exclude<CheckAction, 'wait'> }[] = [];
  for (const entry of entries) {
    if (entry.busy) continue;
    const action = checkAction(entry, now, policy);
    if (action !== 'wait') due.push({ entry, action });
  }
  due.sort((a, b) => a.entry.since - b.entry.since);
  return due.slice(0, Math.max(0, max));
}
