import { describe, expect, it } from 'vitest';
import { type CheckPolicy, checkAction, dueActions } from './check-policy.js';

const policy: CheckPolicy = { checkIntervalMs: 1000, maxChecks: 3, giveUp: 'rollback' };

describe('checkAction', () => {
  it('waits until a full interval has passed since the half message was stored or last checked', () => {
    expect(checkAction({ checks: 0, since: 10_000 }, 10_999, policy)).toBe('wait');
    expect(checkAction({ checks: 0, since: 10_000 }, 11_000, policy)).toBe('check');
    expect(checkAction({ checks: 2, since: 10_000 }, 10_500, policy)).toBe('wait');
  });

  it('checks up to the maximum, then gives up one interval after the last check', () => {
    expect(checkAction({ checks: 2, since: 0 }, 1000, policy)).toBe('check');
    expect(checkAction({ checks: 3, since: 0 }, 999, policy)).toBe('wait');
    expect(checkAction({ checks: 3, since: 0 }, 1000, policy)).toBe('give-up');
  });

  it('gives up without a check when the maximum is 0', () => {
    expect(checkAction({ checks: 0, since: 0 }, 1000, { ...policy, maxChecks: 0 })).toBe('give-up');
  });
});

describe('dueActions', () => {
  const entry = (name: string, checks: number, since: number, busy = false) => ({ name, checks, since, busy });

  it('returns the due entries oldest first, at most `max`, skipping busy ones and those not due', () => {
    const entries = [
      entry('late', 0, 3000),
      entry('busy', 0, 0, true),
      entry('oldest', 1, 1000),
      entry('done-checking', 3, 2000),
      entry('not-due', 0, 9500),
    ];
    const due = dueActions(entries, 10_000, policy, 10);
    expect(due.map((d) => [d.entry.name, d.action])).toEqual([
      ['oldest', 'check'],
      ['done-checking', 'give-up'],
      ['late', 'check'],
    ]);
    expect(dueActions(entries, 10_000, policy, 2).map((d) => d.entry.name)).toEqual(['oldest', 'done-checking']);
    expect(dueActions(entries, 10_000, policy, 0)).toEqual([]);
  });

  it('picks the oldest due entries in any input order', () => {
    const sinces = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
    const entries = sinces.map((since) => entry(`e${since}`, 0, since));
    const due = dueActions(entries, 100_000, policy, 20);
    expect(due.map((d) => d.entry.since)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
