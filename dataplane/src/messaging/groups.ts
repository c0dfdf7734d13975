import { join } from 'node:path';
import { z } from 'zod';
import { Code, DataplaneError } from '../lib/errors.js';
import { JsonDocument } from '../storage/json-document.js';

/**
 * Maximum delivery attempts counts every delivery of a message to the group, the first one included: a message is
 * delivered at most `maxDeliveryAttempts` times and goes to `%DLQ%<group>` instead of a further delivery (PROTOCOL.md
 * §7.13, "after max_attempts deliveries"). The same number is advertised verbatim to consumers as
 * `backoff_policy.max_attempts` (§4.3), which the client also reads as "deliveries", not "retries". RocketMQ's
 * default of 16 retries (`maxReconsumeTimes`) is therefore 17 here (§8). 1 means "never redeliver".
 */
export const DEFAULT_MAX_DELIVERY_ATTEMPTS = 17;
export const MAX_DELIVERY_ATTEMPTS_LIMIT = 1000;

/** Bounds of the exponential retry backoff. Clients read whole seconds only (PROTOCOL.md §0.7), so ms are whole seconds. */
export const MIN_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 2 * 3600_000;
export const MAX_BACKOFF_MULTIPLIER = 10;

/** Field rules shared by the stored config and the admin API body (schemas.ts adds defaults to them). */
export const maxDeliveryAttemptsSchema = z.int().min(1).max(MAX_DELIVERY_ATTEMPTS_LIMIT);
export const backoffMsSchema = z
  .int()
  .min(MIN_BACKOFF_MS)
  .max(MAX_BACKOFF_MS)
  .multipleOf(1000, { error: 'must be whole seconds (a multiple of 1000): clients read whole seconds only' });
export const backoffMultiplierSchema = z.number().min(1).max(MAX_BACKOFF_MULTIPLIER);
export const maxNotBelowInitial = {
  check: (p: { initialMs: number; maxMs: number }) => p.maxMs >= p.initialMs,
  params: { error: 'maxMs must not be below initialMs', path: ['maxMs'] },
};

const RetryPolicy = z
  .object({
    type: z.literal('exponential'),
    initialMs: backoffMsSchema,
    maxMs: backoffMsSchema,
    multiplier: backoffMultiplierSchema,
  })
  .refine(maxNotBelowInitial.check, maxNotBelowInitial.params);
export type RetryPolicy = z.infer<typeof RetryPolicy>;

const GroupConfig = z.object({
  /** Orderly consumption; fixed for the life of the group (a push consumer picks its consume service once). */
  fifo: z.boolean(),
  maxDeliveryAttempts: maxDeliveryAttemptsSchema,
  retryPolicy: RetryPolicy,
});
export type GroupConfig = z.infer<typeof GroupConfig>;

/** RocketMQ-like defaults (PROTOCOL.md §8): concurrent, 17 deliveries, backoff 1 s doubling up to 10 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  type: 'exponential',
  initialMs: 1000,
  maxMs: 10_000,
  multiplier: 2,
});
export const DEFAULT_GROUP_CONFIG: GroupConfig = Object.freeze({
  fifo: false,
  maxDeliveryAttempts: DEFAULT_MAX_DELIVERY_ATTEMPTS,
  retryPolicy: DEFAULT_RETRY_POLICY,
});

const GroupsFile = z.object({ version: z.literal(1), groups: z.record(z.string(), GroupConfig) });
type GroupsFile = z.infer<typeof GroupsFile>;

export interface GroupsOptions {
  /** Create a group the first time a client uses it (`rocketry dev`); off by default elsewhere. */
  readonly autoCreate: boolean;
}

/** RocketMQ's charset for resource names (the topics' one) and its 255-character limit for groups. */
const GROUP_PATTERN = /^[%|a-zA-Z0-9_-]{1,255}$/;
/** Names of retry and dead-letter topics (`%RETRY%g`, `%DLQ%g`), system groups and Rocketry's system resources. */
const RESERVED_PREFIXES = ['%', '__sys_', 'rmq_sys_', 'CID_RMQ_SYS_'];

/** ILLEGAL_CONSUMER_GROUP unless `name` may name a consumer group. */
export function validateGroupName(name: string): void {
  if (!GROUP_PATTERN.test(name)) {
    throw new DataplaneError(
      Code.ILLEGAL_CONSUMER_GROUP,
      `illegal consumer group name ${JSON.stringify(name.slice(0, 260))}: 1-255 characters of [%|a-zA-Z0-9_-]`,
    );
  }
  const reserved = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (reserved) {
    throw new DataplaneError(
      Code.ILLEGAL_CONSUMER_GROUP,
      `illegal consumer group name ${name}: names starting with ${reserved} are reserved`,
    );
  }
}

/** The broker's consumer groups (name → FIFO, max delivery attempts, retry policy), kept in `<dataDir>/groups.json`. */
export class Groups {
  private readonly creating = new Map<string, Promise<GroupConfig>>();

  private constructor(
    private readonly doc: JsonDocument<GroupsFile>,
    private readonly options: GroupsOptions,
  ) {}

  static async open(dataDir: string, options: GroupsOptions): Promise<Groups> {
    const doc = await JsonDocument.open(join(dataDir, 'groups.json'), GroupsFile, { version: 1, groups: {} });
    return new Groups(doc, options);
  }

  get(name: string): GroupConfig | undefined {
    return Object.hasOwn(this.doc.value.groups, name) ? this.doc.value.groups[name] : undefined;
  }

  list(): [string, GroupConfig][] {
    return Object.entries(this.doc.value.groups);
  }

  /** The group a client named, created now with the defaults when auto-create is on; CONSUMER_GROUP_NOT_FOUND otherwise. */
  async resolve(name: string): Promise<GroupConfig> {
    validateGroupName(name);
    const existing = this.get(name);
    if (existing) return existing;
    if (!this.options.autoCreate) {
      throw new DataplaneError(Code.CONSUMER_GROUP_NOT_FOUND, `consumer group ${name} does not exist`);
    }
    let pending = this.creating.get(name);
    if (!pending) {
      pending = this.put(name, DEFAULT_GROUP_CONFIG).finally(() => this.creating.delete(name));
      this.creating.set(name, pending);
    }
    return pending;
  }

  /** Creates or updates a group; whether it is FIFO cannot change once it exists. */
  async put(name: string, config: GroupConfig): Promise<GroupConfig> {
    validateGroupName(name);
    const parsed = GroupConfig.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataplaneError(
        Code.BAD_REQUEST,
        `invalid consumer group ${name}: ${issue?.path.join('.') || '(root)'} ${issue?.message}`,
      );
    }
    const existing = this.get(name);
    if (existing && existing.fifo !== parsed.data.fifo) {
      throw new DataplaneError(
        Code.BAD_REQUEST,
        `consumer group ${name} is ${existing.fifo ? '' : 'not '}FIFO; that cannot change`,
      );
    }
    const current = this.doc.value;
    await this.doc.set({ ...current, groups: { ...current.groups, [name]: parsed.data } });
    return parsed.data;
  }

  /** Removes a group from the registry; true when it existed. Its retry and dead-letter topics stay. */
  async delete(name: string): Promise<boolean> {
    if (!this.get(name)) return false;
    const { [name]: _removed, ...rest } = this.doc.value.groups;
    await this.doc.set({ ...this.doc.value, groups: rest });
    return true;
  }
}
