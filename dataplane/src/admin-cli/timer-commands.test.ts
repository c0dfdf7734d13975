import { describe, expect, it } from 'vitest';
import { formatTimers } from './format-timers.js';
import { parseCommand } from './parse-command.js';

describe('rocketry admin timer list', () => {
  it('parses with and without --topic and refuses flags of other commands', () => {
    const run = (argv: string[]) => parseCommand(argv, {});
    expect(run(['timer', 'list'])).toMatchObject({ kind: 'run', invocation: { command: { kind: 'timer-list' } } });
    expect(run(['timer', 'list', '--topic', 'orders-delay'])).toMatchObject({
      kind: 'run',
      invocation: { command: { kind: 'timer-list', topic: 'orders-delay' } },
    });
    expect(run(['timer', 'list', '--key', 'k'])).toEqual({ kind: 'usage-error', message: 'timer list takes no --key' });
    expect(run(['timer', 'list', 'extra'])).toMatchObject({ kind: 'usage-error' });
  });

  it('prints one row per topic with the next due time and how long until then', () => {
    expect(
      formatTimers([
        { topic: 'orders-delay', pending: 3, nextDueAt: Date.UTC(2026, 0, 2, 3, 4, 5), nextDueInMs: 200_000 },
        { topic: 'pay-delay', pending: 12, nextDueAt: Date.UTC(2026, 0, 2, 3, 0, 0), nextDueInMs: 0 },
      ]),
    ).toBe(
      'TOPIC         PENDING  NEXT DUE                  IN\n' +
        'orders-delay  3        2026-01-02T03:04:05.000Z  3m20s\n' +
        'pay-delay     12       2026-01-02T03:00:00.000Z  due\n',
    );
    expect(formatTimers([])).toBe('no pending timers\n');
    expect(formatTimers([], 'pay-delay')).toBe('no pending timers in topic pay-delay\n');
  });
});
