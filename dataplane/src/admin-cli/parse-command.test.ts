import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, parseCommand } from './parse-command.js';

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
});
