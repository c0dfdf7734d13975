import { parseArgs } from 'node:util';
import { z } from 'zod';
import { TopicSpec } from '../admin/schemas.js';
import { MAX_QUEUES } from '../messaging/topics.js';

/**
 * `rocketry admin` argv → what to do. Pure: the environment comes in as an argument. Grammar:
 *
 *   admin [--server URL] [--token T] [--json] topic list
 *                                             topic get NAME
 *                                             topic put NAME --type TYPE --queues N
 *                                             topic delete NAME
 *                                             message get ID --topic T
 *                                             message find --topic T --key K
 */
export const DEFAULT_SERVER = 'http://127.0.0.1:8082';

export const ADMIN_USAGE = `usage: rocketry admin [--server URL] [--token T] [--json] <command>

commands:
  topic list                                  topics, by name
  topic get NAME                              a topic and the min/max offset of each queue
  topic put NAME --type TYPE --queues N       create a topic, or add queues to it
                                              (TYPE: NORMAL|FIFO|DELAY|TRANSACTION, or MIXED for auto-created ones)
  topic delete NAME                           remove a topic (stored messages age out by retention)
  message get ID --topic T                    the newest message of topic T with this id
  message find --topic T --key K              messages of topic T carrying key K, newest first

flags:
  --server URL   the broker's admin API (ROCKETRY_ADMIN_URL, default ${DEFAULT_SERVER})
  --token T      bearer token, when the broker has --admin-token (ROCKETRY_ADMIN_TOKEN)
  --json         print the API's JSON instead of tables
  -h, --help     this text
`;

export type AdminCommand =
  | { readonly kind: 'topic-list' }
  | { readonly kind: 'topic-get'; readonly topic: string }
  | { readonly kind: 'topic-put'; readonly topic: string; readonly spec: TopicSpec }
  | { readonly kind: 'topic-delete'; readonly topic: string }
  | { readonly kind: 'message-get'; readonly messageId: string; readonly topic: string }
  | { readonly kind: 'message-find'; readonly topic: string; readonly key: string };

export interface AdminInvocation {
  /** Without a trailing slash. */
  readonly server: string;
  readonly token?: string;
  readonly json: boolean;
  readonly command: AdminCommand;
}

export type ParseResult =
  | { readonly kind: 'run'; readonly invocation: AdminInvocation }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

export interface AdminEnv {
  readonly ROCKETRY_ADMIN_URL?: string | undefined;
  readonly ROCKETRY_ADMIN_TOKEN?: string | undefined;
}

const OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  type: { type: 'string' },
  queues: { type: 'string' },
  topic: { type: 'string' },
  key: { type: 'string' },
} as const;

/** The flags each command takes besides the global ones. */
type CommandFlag = 'type' | 'queues' | 'topic' | 'key';

const Server = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .transform((url) => url.replace(/\/+$/, ''));
const Token = z.string().min(1, 'must not be empty');
const Name = z.string().min(1, 'must not be empty');
const QUEUES_RANGE = `must be an integer from 1 to ${MAX_QUEUES}`;
const Queues = z
  .string()
  .regex(/^[0-9]+$/, QUEUES_RANGE)
  .transform(Number)
  .pipe(z.int().min(1, QUEUES_RANGE).max(MAX_QUEUES, QUEUES_RANGE));

interface Spec {
  readonly positionals: readonly string[];
  readonly flags: readonly CommandFlag[];
  readonly build: (args: readonly string[], flags: Partial<Record<CommandFlag, string>>) => AdminCommand;
}

const COMMANDS: Readonly<Record<string, Spec>> = {
  'topic list': { positionals: [], flags: [], build: () => ({ kind: 'topic-list' }) },
  'topic get': {
    positionals: ['NAME'],
    flags: [],
    build: ([name]) => ({ kind: 'topic-get', topic: check('NAME', Name, name) }),
  },
  'topic put': {
    positionals: ['NAME'],
    flags: ['type', 'queues'],
    build: ([name], f) => ({
      kind: 'topic-put',
      topic: check('NAME', Name, name),
      spec: {
        messageType: check('--type', TopicSpec.shape.messageType, required('type', f.type)),
        queues: check('--queues', Queues, required('queues', f.queues)),
      },
    }),
  },
  'topic delete': {
    positionals: ['NAME'],
    flags: [],
    build: ([name]) => ({ kind: 'topic-delete', topic: check('NAME', Name, name) }),
  },
  'message get': {
    positionals: ['ID'],
    flags: ['topic'],
    build: ([id], f) => ({
      kind: 'message-get',
      messageId: check('ID', Name, id),
      topic: check('--topic', Name, required('topic', f.topic)),
    }),
  },
  'message find': {
    positionals: [],
    flags: ['topic', 'key'],
    build: (_, f) => ({
      kind: 'message-find',
      topic: check('--topic', Name, required('topic', f.topic)),
      key: check('--key', Name, required('key', f.key)),
    }),
  },
};

/** Thrown only inside this module and turned into a `usage-error` value before it leaves. */
class UsageError extends Error {}

/** parseArgs throws TypeErrors with a stable `code` (ERR_PARSE_ARGS_*) for unknown or malformed flags. */
function isParseArgsError(err: unknown): err is TypeError {
  const code = (err as { code?: unknown } | undefined)?.code;
  return err instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

function check<S extends z.ZodType>(what: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UsageError(`${what} ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
}

function required(flag: CommandFlag, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  return value;
}

export function parseCommand(argv: readonly string[], env: AdminEnv): ParseResult {
  try {
    return parse(argv, env);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      return { kind: 'usage-error', message: (err as Error).message };
    }
    throw err;
  }
}

function parse(argv: readonly string[], env: AdminEnv): ParseResult {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return { kind: 'help' };
  const [noun, verb, ...rest] = positionals;
  if (noun === undefined) throw new UsageError('missing command');
  if (noun !== 'topic' && noun !== 'message') throw new UsageError(`unknown command ${JSON.stringify(noun)}`);
  if (verb === undefined) throw new UsageError(`missing ${noun} command`);
  const name = `${noun} ${verb}`;
  const spec = COMMANDS[name];
  if (!spec) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  if (rest.length < spec.positionals.length) {
    throw new UsageError(`${name} needs ${spec.positionals.join(' ')}`);
  }
  if (rest.length > spec.positionals.length) {
    throw new UsageError(`${name}: unexpected argument ${JSON.stringify(rest[spec.positionals.length])}`);
  }
  const flags: Partial<Record<CommandFlag, string>> = {};
  for (const flag of ['type', 'queues', 'topic', 'key'] as const) {
    const value = values[flag];
    if (value === undefined) continue;
    if (!spec.flags.includes(flag)) throw new UsageError(`${name} takes no --${flag}`);
    flags[flag] = value;
  }
  const command = spec.build(rest, flags);
  // An empty variable counts as unset, as shells make it easy to export one by accident.
  const server = check('--server', Server, values.server ?? (env.ROCKETRY_ADMIN_URL || DEFAULT_SERVER));
  const tokenValue = values.token ?? (env.ROCKETRY_ADMIN_TOKEN || undefined);
  const token = tokenValue === undefined ? undefined : check('--token', Token, tokenValue);
  return {
    kind: 'run',
    invocation: { server, json: values.json ?? false, command, ...(token !== undefined && { token }) },
  };
}
