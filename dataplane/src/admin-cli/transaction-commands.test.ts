import { describe, expect, it } from 'vitest';
import { formatTransactions } from './format-transactions.js';
import { parseCommand } from './parse-command.js';

describe('rocketry admin transaction list', () => {
  it('parses with and without --topic and refuses flags of other commands', () => {
    const run = (argv: string[]) => parseCommand(argv, {});
    expect(run(['transaction', 'list'])).toMatchObject({
      kind: 'run',
      invocation: { command: { kind: 'transaction-list' } },
    });
    expect(run(['transaction', 'list', '--topic', 'pay-tx'])).toMatchObject({
      kind: 'run',
      invocation: { command: { kind: 'transaction-list', topic: 'pay-tx' } },
    });
    expect(run(['transaction', 'list', '--key', 'k'])).toEqual({
      kind: 'usage-error',
      message: 'transaction list takes no --key',
    });
    expect(run(['transaction', 'list', 'extra'])).toMatchObject({ kind: 'usage-error' });
  });

  it('prints one row per topic with the age of the oldest unresolved transaction', () => {
    expect(
      formatTransactions([
        { topic: 'orders-tx', unresolved: 3, oldestStoredAt: 1, oldestAgeMs: 200_000 },
        { topic: 'pay-tx', unresolved: 12, oldestStoredAt: 2, oldestAgeMs: 850 },
      ]),
    ).toBe('TOPIC      UNRESOLVED  OLDEST\norders-tx  3           3m20s\npay-tx     12          850ms\n');
    expect(formatTransactions([])).toBe('no unresolved transactions\n');
    expect(formatTransactions([], 'pay-tx')).toBe('no unresolved transactions in topic pay-tx\n');
  });
});
