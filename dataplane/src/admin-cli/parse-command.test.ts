import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, parseCommand } from './parse-command.js';

const DEFAULT_GROUP_SPEC = {
  fifo: false,
  maxDeliveryAttempts: 17,
  retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
};

const run = (argv: string[], env = {}) => {
  const result = parseCommand(argv, env);
  if (result.kind !== 'run') throw new Error(`expected a command, got ${JSON.stringify(result)}`);
  return result.invocation;
};
const usageError = (argv: string[], env = {}) => {
  const result = parseCommand(argv, env);
  if (result.kind !== 'usage-error') throw new Error(`expected a usage error, got ${JSON.stringify(result)}`);
  return result.message;
};

describe('parseCommand', () => {
  it('reads each command with its arguments and flags', () => {
    expect(run(['topic', 'list']).command).toEqual({ kind: 'topic-list' });
    expect(run(['topic', 'get', 'orders']).command).toEqual({ kind: 'topic-get', topic: 'orders' });
    expect(run(['topic', 'put', 'orders', '--type', 'FIFO', '--queues', '8']).command).toEqual({
      kind: 'topic-put',
      topic: 'orders',
      spec: { messageType: 'FIFO', queues: 8 },
    });
    expect(run(['topic', 'delete', 'orders']).command).toEqual({ kind: 'topic-delete', topic: 'orders' });
    expect(run(['message', 'get', 'ABC', '--topic', 'orders']).command).toEqual({
      kind: 'message-get',
      messageId: 'ABC',
      topic: 'orders',
    });
    expect(run(['message', 'find', '--topic', 'orders', '--key', 'k1']).command).toEqual({
      kind: 'message-find',
      topic: 'orders',
      key: 'k1',
    });
  });

  it('defaults to the local admin port, no token and tables', () => {
    expect(run(['topic', 'list'])).toEqual({ server: DEFAULT_SERVER, json: false, command: { kind: 'topic-list' } });
  });

  it('takes the server and token from the environment, and flags over the environment', () => {
    const env = { ROCKETRY_ADMIN_URL: 'http://broker:9000', ROCKETRY_ADMIN_TOKEN: 'from-env' };
    expect(run(['topic', 'list'], env)).toMatchObject({ server: 'http://broker:9000', token: 'from-env' });
    expect(run(['--server', 'https://b:1/', '--token', 'flag', 'topic', 'list', '--json'], env)).toMatchObject({
      server: 'https://b:1',
      token: 'flag',
      json: true,
    });
  });

  it('treats empty environment variables as unset', () => {
    const invocation = run(['topic', 'list'], { ROCKETRY_ADMIN_URL: '', ROCKETRY_ADMIN_TOKEN: '' });
    expect(invocation.server).toBe(DEFAULT_SERVER);
    expect(invocation).not.toHaveProperty('token');
  });

  it('accepts global flags after the command', () => {
    expect(run(['topic', 'get', 'orders', '--json', '--server', 'http://h:1'])).toMatchObject({
      server: 'http://h:1',
      json: true,
    });
  });

  it('answers help for -h and --help, whatever else is given', () => {
    expect(parseCommand(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseCommand(['topic', 'put', '--help'], {})).toEqual({ kind: 'help' });
  });

  it('rejects a --queues that is not an integer from 1 to 1024', () => {
    for (const queues of ['0', '-1', '1.5', 'four', '1025', '']) {
      expect(usageError(['topic', 'put', 't', '--type', 'NORMAL', `--queues=${queues}`])).toContain(
        'must be an integer from 1 to 1024',
      );
    }
  });

  it('rejects an unknown message type and a missing --type or --queues', () => {
    expect(usageError(['topic', 'put', 't', '--type', 'BATCH', '--queues', '1'])).toMatch(/^--type "BATCH"/);
    expect(usageError(['topic', 'put', 't', '--queues', '1'])).toBe('--type is required');
    expect(usageError(['topic', 'put', 't', '--type', 'NORMAL'])).toBe('--queues is required');
  });

  it('rejects missing, unknown and extra commands and arguments', () => {
    expect(usageError([])).toBe('missing command');
    expect(usageError(['queue', 'list'])).toBe('unknown command "queue"');
    expect(usageError(['topic'])).toBe('missing topic command');
    expect(usageError(['topic', 'rename'])).toBe('unknown command "topic rename"');
    expect(usageError(['topic', 'get'])).toBe('topic get needs NAME');
    expect(usageError(['topic', 'get', 'a', 'b'])).toBe('topic get: unexpected argument "b"');
    expect(usageError(['message', 'get', 'ID'])).toBe('--topic is required');
  });

  it('rejects flags the command does not take, and flags nobody takes', () => {
    expect(usageError(['topic', 'list', '--key', 'k'])).toBe('topic list takes no --key');
    expect(usageError(['topic', 'list', '--verbose'])).toContain("Unknown option '--verbose'");
    expect(usageError(['topic', 'list', '--server'])).toContain('--server');
  });

  it('rejects a server that is not an http(s) URL and an empty token', () => {
    expect(usageError(['--server', 'localhost:8082', 'topic', 'list'])).toContain('http:// or https://');
    expect(usageError(['--server', 'ftp://h', 'topic', 'list'])).toContain('http:// or https://');
    expect(usageError(['--token', '', 'topic', 'list'])).toBe('--token "": must not be empty');
  });

  it('reads each group command with its arguments and flags', () => {
    expect(run(['group', 'list']).command).toEqual({ kind: 'group-list' });
    expect(run(['group', 'get', 'billing']).command).toEqual({ kind: 'group-get', group: 'billing' });
    expect(run(['group', 'delete', 'billing']).command).toEqual({ kind: 'group-delete', group: 'billing' });
    expect(run(['group', 'lag', 'billing']).command).toEqual({ kind: 'group-lag', group: 'billing' });
    expect(run(['group', 'reset', 'billing', '--topic', 'orders', '--to', 'earliest']).command).toEqual({
      kind: 'group-reset',
      group: 'billing',
      reset: { topic: 'orders', to: 'earliest' },
    });
  });

  it('sends the whole group body, with the defaults for what is not given', () => {
    expect(run(['group', 'put', 'billing']).command).toEqual({
      kind: 'group-put',
      group: 'billing',
      spec: DEFAULT_GROUP_SPEC,
    });
    const flags = ['--fifo', '--max-attempts', '5', '--retry-initial-ms', '2000', '--retry-max-ms', '60000'];
    expect(run(['group', 'put', 'billing', ...flags, '--retry-multiplier', '1.5']).command).toEqual({
      kind: 'group-put',
      group: 'billing',
      spec: {
        fifo: true,
        maxDeliveryAttempts: 5,
        retryPolicy: { type: 'exponential', initialMs: 2000, maxMs: 60_000, multiplier: 1.5 },
      },
    });
    expect(run(['group', 'put', 'billing', '--retry-max-ms', '30000']).command).toMatchObject({
      spec: { retryPolicy: { initialMs: 1000, maxMs: 30_000, multiplier: 2 } },
    });
  });

  it("rejects a group body the API's GroupSpec refuses, naming the flag", () => {
    expect(usageError(['group', 'put', 'g', '--max-attempts', '0'])).toMatch(/^--max-attempts "0": /);
    expect(usageError(['group', 'put', 'g', '--max-attempts', '1001'])).toMatch(/^--max-attempts "1001": /);
    expect(usageError(['group', 'put', 'g', '--retry-initial-ms', '1500'])).toBe(
      '--retry-initial-ms "1500": must be whole seconds (a multiple of 1000): clients read whole seconds only',
    );
    expect(usageError(['group', 'put', 'g', '--retry-multiplier', '11'])).toMatch(/^--retry-multiplier "11": /);
    expect(usageError(['group', 'put', 'g', '--retry-initial-ms', '2000', '--retry-max-ms', '1000'])).toBe(
      '--retry-max-ms "1000": maxMs must not be below initialMs',
    );
    expect(usageError(['group', 'put', 'g', '--retry-initial-ms', '20000'])).toBe(
      '--retry-max-ms (default 10000): maxMs must not be below initialMs',
    );
  });

  it('rejects group numbers that are not numbers', () => {
    expect(usageError(['group', 'put', 'g', '--max-attempts', '2.5'])).toBe(
      '--max-attempts "2.5": must be a whole number',
    );
    expect(usageError(['group', 'put', 'g', '--retry-max-ms', '10s'])).toBe(
      '--retry-max-ms "10s": must be a whole number',
    );
    expect(usageError(['group', 'put', 'g', '--retry-multiplier', 'x2'])).toBe(
      '--retry-multiplier "x2": must be a number like 2 or 1.5',
    );
  });

  it('resets to earliest, latest or a time with a zone, and nothing else', () => {
    const to = (where: string) => run(['group', 'reset', 'g', '--topic', 't', '--to', where]).command;
    expect(to('latest')).toMatchObject({ reset: { to: 'latest' } });
    expect(to('2025-03-01T12:00:00Z')).toMatchObject({ reset: { to: '2025-03-01T12:00:00Z' } });
    expect(to('2025-03-01T12:00:00.250+02:00')).toMatchObject({ reset: { to: '2025-03-01T12:00:00.250+02:00' } });
    for (const where of ['yesterday', '2025-03-01T12:00:00', '2025-03-01', '']) {
      expect(usageError(['group', 'reset', 'g', '--topic', 't', `--to=${where}`])).toContain(
        'must be earliest, latest, or an ISO-8601 time with a zone',
      );
    }
    expect(usageError(['group', 'reset', 'g', '--to', 'latest'])).toBe('--topic is required');
    expect(usageError(['group', 'reset', 'g', '--topic', 't'])).toBe('--to is required');
  });

  it('rejects group commands without NAME and flags of other commands', () => {
    expect(usageError(['group'])).toBe('missing group command');
    expect(usageError(['group', 'rename'])).toBe('unknown command "group rename"');
    expect(usageError(['group', 'lag'])).toBe('group lag needs NAME');
    expect(usageError(['group', 'get', 'a', 'b'])).toBe('group get: unexpected argument "b"');
    expect(usageError(['group', 'lag', 'g', '--fifo'])).toBe('group lag takes no --fifo');
    expect(usageError(['group', 'put', 'g', '--to', 'latest'])).toBe('group put takes no --to');
    expect(usageError(['topic', 'put', 't', '--type', 'NORMAL', '--queues', '1', '--fifo'])).toBe(
      'topic put takes no --fifo',
    );
  });
});
