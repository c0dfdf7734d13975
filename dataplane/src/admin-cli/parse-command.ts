import { parseArgs } from 'node:util';
import { z } from 'zod';
import { GroupSpec, OffsetResetSpec, TopicSpec } from '../admin/schemas.js';
import { DEFAULT_GROUP_CONFIG, DEFAULT_RETRY_POLICY } from '../messaging/groups.js';
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
 *                                             group list
 *                                             group get NAME
 *                                             group put NAME [--fifo] [--max-attempts N] [--retry-initial-ms MS]
 *                                                            [--retry-max-ms MS] [--retry-multiplier X]
 *                                             group delete NAME
 *                                             group lag NAME
 *                                             group reset NAME --topic T --to earliest|latest|TIME
 *                                             transaction list [--topic T]
 *                                             timer list [--topic T]
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
  group list                                  consumer groups, by name
  group get NAME                              a consumer group
  group put NAME [--fifo] [--max-attempts N]  create or replace a consumer group; what is not given takes the
        [--retry-initial-ms MS]               defaults: concurrent, ${DEFAULT_GROUP_CONFIG.maxDeliveryAttempts} deliveries (the first one included),
        [--retry-max-ms MS]                   retry backoff from ${DEFAULT_RETRY_POLICY.initialMs} ms up to ${DEFAULT_RETRY_POLICY.maxMs} ms, times ${DEFAULT_RETRY_POLICY.multiplier} per retry
        [--retry-multiplier X]                (MS: milliseconds, whole seconds; --fifo is fixed once created)
  group delete NAME                           remove a consumer group
  group lag NAME                              per topic and queue on this broker: committed and max offset,
                                              ready and in-flight messages, age of the oldest ready one
  group reset NAME --topic T --to WHERE       restart the group in topic T; WHERE: earliest, latest, or an
                                              ISO-8601 time with a zone (the first message stored at or after it)
  transaction list [--topic T]                unresolved transactions per topic: how many, age of the oldest
  timer list [--topic T]                      pending DELAY messages per topic: how many, when the next is due

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
  | { readonly kind: 'message-find'; readonly topic: string; readonly key: string }
  | { readonly kind: 'group-list' }
  | { readonly kind: 'group-get'; readonly group: string }
  | { readonly kind: 'group-put'; readonly group: string; readonly spec: GroupSpec }
  | { readonly kind: 'group-delete'; readonly group: string }
  | { readonly kind: 'group-lag'; readonly group: string }
  | { readonly kind: 'group-reset'; readonly group: string; readonly reset: OffsetResetRequest }
  | { readonly kind: 'transaction-list'; readonly topic?: string }
  | { readonly kind: 'timer-list'; readonly topic?: string };

/** The body of `POST /v1/groups/{g}/offsets:reset`. */
export type OffsetResetRequest = z.output<typeof OffsetResetSpec>;

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
  fifo: { type: 'boolean' },
  'max-attempts': { type: 'string' },
  'retry-initial-ms': { type: 'string' },
  'retry-max-ms': { type: 'string' },
  'retry-multiplier': { type: 'string' },
  to: { type: 'string' },
} as const;

/** The flags each command takes besides the global ones. */
type CommandFlag = Exclude<keyof typeof OPTIONS, 'server' | 'token' | 'json' | 'help'>;
const COMMAND_FLAGS = Object.keys(OPTIONS).filter(
  (flag): flag is CommandFlag => !['server', 'token', 'json', 'help'].includes(flag),
);
type CommandFlags = { readonly [F in CommandFlag]?: (typeof OPTIONS)[F]['type'] extends 'boolean' ? boolean : string };

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
/** Numbers as typed; their ranges are GroupSpec's, checked on the whole body. */
const WholeNumber = z
  .string()
  .regex(/^[0-9]+$/, 'must be a whole number')
  .transform(Number);
const DecimalNumber = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?$/, 'must be a number like 2 or 1.5')
  .transform(Number);
const ResetTarget = z.string().refine((to) => OffsetResetSpec.shape.to.safeParse(to).success, {
  error: 'must be earliest, latest, or an ISO-8601 time with a zone, like 2025-03-01T12:00:00Z',
});

/** Where the GroupSpec fields that can be invalid come from on the command line, for messages about them. */
const GROUP_FIELD_FLAGS: Readonly<Record<string, { flag: CommandFlag; defaultValue: unknown }>> = {
  maxDeliveryAttempts: { flag: 'max-attempts', defaultValue: DEFAULT_GROUP_CONFIG.maxDeliveryAttempts },
  'retryPolicy.initialMs': { flag: 'retry-initial-ms', defaultValue: DEFAULT_RETRY_POLICY.initialMs },
  'retryPolicy.maxMs': { flag: 'retry-max-ms', defaultValue: DEFAULT_RETRY_POLICY.maxMs },
  'retryPolicy.multiplier': { flag: 'retry-multiplier', defaultValue: DEFAULT_RETRY_POLICY.multiplier },
};

const NOUNS = ['topic', 'message', 'group', 'transaction', 'timer'];

interface Spec {
  readonly positionals: readonly string[];
  readonly flags: readonly CommandFlag[];
  readonly build: (args: readonly string[], flags: CommandFlags) => AdminCommand;
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
  'group list': { positionals: [], flags: [], build: () => ({ kind: 'group-list' }) },
  'group get': {
    positionals: ['NAME'],
    flags: [],
    build: ([name]) => ({ kind: 'group-get', group: check('NAME', Name, name) }),
  },
  'group put': {
    positionals: ['NAME'],
    flags: ['fifo', 'max-attempts', 'retry-initial-ms', 'retry-max-ms', 'retry-multiplier'],
    build: ([name], f) => ({ kind: 'group-put', group: check('NAME', Name, name), spec: groupSpec(f) }),
  },
  'group delete': {
    positionals: ['NAME'],
    flags: [],
    build: ([name]) => ({ kind: 'group-delete', group: check('NAME', Name, name) }),
  },
  'group lag': {
    positionals: ['NAME'],
    flags: [],
    build: ([name]) => ({ kind: 'group-lag', group: check('NAME', Name, name) }),
  },
  'group reset': {
    positionals: ['NAME'],
    flags: ['topic', 'to'],
    build: ([name], f) => ({
      kind: 'group-reset',
      group: check('NAME', Name, name),
      reset: {
        topic: check('--topic', Name, required('topic', f.topic)),
        to: check('--to', ResetTarget, required('to', f.to)),
      },
    }),
  },
  'transaction list': {
    positionals: [],
    flags: ['topic'],
    build: (_, f) => ({
      kind: 'transaction-list',
      ...(f.topic !== undefined && { topic: check('--topic', Name, f.topic) }),
    }),
  },
  'timer list': {
    positionals: [],
    flags: ['topic'],
    build: (_, f) => ({
      kind: 'timer-list',
      ...(f.topic !== undefined && { topic: check('--topic', Name, f.topic) }),
    }),
  },
};

/**
 * The PUT body from the flags, checked with the API's own GroupSpec (which fills in the defaults), so that a body the
 * broker would refuse is a usage error here, named by the flag.
 */
function groupSpec(f: CommandFlags): GroupSpec {
  const optional = <S extends z.ZodType>(flag: CommandFlag, schema: S, value: string | undefined) =>
    value === undefined ? undefined : check(`--${flag}`, schema, value);
  // Undefined fields take GroupSpec's defaults, as omitted ones do on the broker.
  const body = {
    fifo: f.fifo,
    maxDeliveryAttempts: optional('max-attempts', WholeNumber, f['max-attempts']),
    retryPolicy: {
      initialMs: optional('retry-initial-ms', WholeNumber, f['retry-initial-ms']),
      maxMs: optional('retry-max-ms', WholeNumber, f['retry-max-ms']),
      multiplier: optional('retry-multiplier', DecimalNumber, f['retry-multiplier']),
    },
  };
  const parsed = GroupSpec.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const source = GROUP_FIELD_FLAGS[issue?.path.join('.') ?? ''];
  if (!source) throw new UsageError(`group put: ${issue?.message ?? 'invalid group'}`);
  const given = f[source.flag];
  const what = given === undefined ? `(default ${String(source.defaultValue)})` : JSON.stringify(given);
  throw new UsageError(`--${source.flag} ${what}: ${issue?.message}`);
}

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
  if (!NOUNS.includes(noun)) throw new UsageError(`unknown command ${JSON.stringify(noun)}`);
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
  for (const flag of COMMAND_FLAGS) {
    if (values[flag] !== undefined && !spec.flags.includes(flag)) throw new UsageError(`${name} takes no --${flag}`);
  }
  const command = spec.build(rest, values);
  // An empty variable counts as unset, as shells make it easy to export one by accident.
  const server = check('--server', Server, values.server ?? (env.ROCKETRY_ADMIN_URL || DEFAULT_SERVER));
  const tokenValue = values.token ?? (env.ROCKETRY_ADMIN_TOKEN || undefined);
  const token = tokenValue === undefined ? undefined : check('--token', Token, tokenValue);
  return {
    kind: 'run',
    invocation: { server, json: values.json ?? false, command, ...(token !== undefined && { token }) },
  };
}
