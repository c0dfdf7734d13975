import { z } from 'zod';
import type { GroupSpec, TopicSpec } from '../admin/schemas.js';
import { TOPIC_MESSAGE_TYPES } from '../messaging/topics.js';

/**
 * HTTP client of the broker's admin API (admin/openapi.ts). Every outcome is a value: the typed answer with the JSON it
 * came from, a problem the broker answered, or a failure to get any usable answer. It never throws for those.
 */

const Offset = z.string().regex(/^[0-9]+$/);

export const Topic = z.object({
  name: z.string(),
  messageType: z.enum(TOPIC_MESSAGE_TYPES),
  queues: z.number().int(),
  acceptMessageTypes: z.array(z.string()),
});
export type Topic = z.infer<typeof Topic>;

export const TopicDetail = Topic.extend({
  queueOffsets: z.array(z.object({ queueId: z.number().int(), minOffset: Offset, maxOffset: Offset })),
});
export type TopicDetail = z.infer<typeof TopicDetail>;

export const Message = z.object({
  topic: z.string(),
  queueId: z.number().int(),
  queueOffset: Offset,
  physicalOffset: Offset,
  messageId: z.string(),
  tag: z.string(),
  keys: z.array(z.string()),
  properties: z.record(z.string(), z.string()),
  bornTimestamp: z.number().optional(),
  storeTimestamp: z.number().optional(),
  bodySize: z.number().int().optional(),
  body: z.string().optional(),
});
export type Message = z.infer<typeof Message>;

export const Group = z.object({
  name: z.string(),
  fifo: z.boolean(),
  maxDeliveryAttempts: z.number().int(),
  retryPolicy: z.object({
    type: z.literal('exponential'),
    initialMs: z.number().int(),
    maxMs: z.number().int(),
    multiplier: z.number(),
  }),
  deadLetterTopic: z.string(),
});
export type Group = z.infer<typeof Group>;

export const TopicTransactions = z.object({
  topic: z.string(),
  unresolved: z.number().int().nonnegative(),
  oldestStoredAt: z.number().int(),
  oldestAgeMs: z.number().int().nonnegative(),
});
export type TopicTransactions = z.infer<typeof TopicTransactions>;
const TransactionList = z.object({ topics: z.array(TopicTransactions) });

export const TopicTimers = z.object({
  topic: z.string(),
  pending: z.number().int().nonnegative(),
  nextDueAt: z.number().int(),
  nextDueInMs: z.number().int().nonnegative(),
});
export type TopicTimers = z.infer<typeof TopicTimers>;
const TimerList = z.object({ topics: z.array(TopicTimers) });

/** Queue offsets of consumption are JSON integers in the lag and reset answers, not decimal strings. */
const QueueOffset = z.number().int().nonnegative();
const AgeMs = z.number().int().nonnegative().nullable();

export const GroupLag = z.object({
  group: z.string(),
  ready: z.number().int(),
  inflight: z.number().int(),
  queues: z.array(
    z.object({
      topic: z.string(),
      queueId: z.number().int(),
      committedOffset: QueueOffset,
      maxOffset: QueueOffset,
      ready: z.number().int(),
      inflight: z.number().int(),
      oldestReadyAgeMs: AgeMs,
      oldestUnconsumedAgeMs: AgeMs,
    }),
  ),
});
export type GroupLag = z.infer<typeof GroupLag>;

export const OffsetReset = z.object({
  group: z.string(),
  topic: z.string(),
  to: z.string(),
  offsets: z.array(z.object({ queueId: z.number().int(), offset: QueueOffset })),
});
export type OffsetReset = z.infer<typeof OffsetReset>;

/** RFC 9457 problem details as the admin API writes them (admin/problem.ts). */
export const Problem = z.object({
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.number().int(),
  errors: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type Problem = z.infer<typeof Problem>;

const TopicList = z.object({ topics: z.array(Topic) });
const MessageList = z.object({ messages: z.array(Message) });
const GroupList = z.object({ groups: z.array(Group) });

export type AdminFailure =
  | { readonly kind: 'problem'; readonly problem: Problem }
  | { readonly kind: 'unreachable'; readonly url: string; readonly reason: string }
  /** An answer that is not the API's: another service on the port, a proxy error page, a newer broker's shape. */
  | { readonly kind: 'unexpected'; readonly url: string; readonly status: number; readonly reason: string };

export type AdminResult<T> =
  | { readonly ok: true; readonly value: T; readonly json: unknown }
  | { readonly ok: false; readonly failure: AdminFailure };

/** What `call` answers: a result plus the HTTP status, for the commands whose meaning depends on it. */
type Answer<T> =
  | { readonly ok: true; readonly value: T; readonly json: unknown; readonly status: number }
  | { readonly ok: false; readonly failure: AdminFailure };

export interface AdminClientOptions {
  /** `http(s)://host:port`, without a trailing slash. */
  readonly server: string;
  readonly token?: string;
  /** Per request. Default 10 s. */
  readonly timeoutMs?: number;
}

export class AdminClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: AdminClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  listTopics(): Promise<AdminResult<Topic[]>> {
    return this.call('GET', '/v1/topics', TopicList, [200]).then((r) => mapValue(r, (v) => v.topics));
  }

  getTopic(topic: string): Promise<AdminResult<TopicDetail>> {
    return this.call('GET', topicPath(topic), TopicDetail, [200]);
  }

  /** `created` is false when the topic existed and was updated. */
  async putTopic(topic: string, spec: TopicSpec): Promise<AdminResult<{ created: boolean; topic: TopicDetail }>> {
    const result = await this.call('PUT', topicPath(topic), TopicDetail, [200, 201], spec);
    return mapValue(result, (value, status) => ({ created: status === 201, topic: value }));
  }

  deleteTopic(topic: string): Promise<AdminResult<null>> {
    return this.call('DELETE', topicPath(topic), z.null(), [204]);
  }

  getMessage(messageId: string, topic: string): Promise<AdminResult<Message>> {
    const query = new URLSearchParams({ topic });
    return this.call('GET', `/v1/messages/${encodeURIComponent(messageId)}?${query}`, Message, [200]);
  }

  findMessages(topic: string, key: string): Promise<AdminResult<Message[]>> {
    const query = new URLSearchParams({ topic, key });
    return this.call('GET', `/v1/messages?${query}`, MessageList, [200]).then((r) => mapValue(r, (v) => v.messages));
  }

  listGroups(): Promise<AdminResult<Group[]>> {
    return this.call('GET', '/v1/groups', GroupList, [200]).then((r) => mapValue(r, (v) => v.groups));
  }

  getGroup(group: string): Promise<AdminResult<Group>> {
    return this.call('GET', groupPath(group), Group, [200]);
  }

  /** `created` is false when the group existed and was replaced. */
  async putGroup(group: string, spec: GroupSpec): Promise<AdminResult<{ created: boolean; group: Group }>> {
    const result = await this.call('PUT', groupPath(group), Group, [200, 201], spec);
    return mapValue(result, (value, status) => ({ created: status === 201, group: value }));
  }

  deleteGroup(group: string): Promise<AdminResult<null>> {
    return this.call('DELETE', groupPath(group), z.null(), [204]);
  }

  groupLag(group: string): Promise<AdminResult<GroupLag>> {
    return this.call('GET', `${groupPath(group)}/lag`, GroupLag, [200]);
  }

  resetOffsets(group: string, reset: { topic: string; to: string }): Promise<AdminResult<OffsetReset>> {
    return this.call('POST', `${groupPath(group)}/offsets:reset`, OffsetReset, [200], reset);
  }

  /** Pending timers (DELAY messages) per topic (of one topic when given). */
  listTimers(topic?: string): Promise<AdminResult<TopicTimers[]>> {
    const query = topic === undefined ? '' : `?${new URLSearchParams({ topic })}`;
    return this.call('GET', `/v1/timers${query}`, TimerList, [200]).then((r) => mapValue(r, (v) => v.topics));
  }

  /** Unresolved transactions per topic (of one topic when given). */
  listTransactions(topic?: string): Promise<AdminResult<TopicTransactions[]>> {
    const query = topic === undefined ? '' : `?${new URLSearchParams({ topic })}`;
    return this.call('GET', `/v1/transactions${query}`, TransactionList, [200]).then((r) =>
      mapValue(r, (v) => v.topics),
    );
  }

  private async call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    expected: readonly number[],
    body?: unknown,
  ): Promise<Answer<z.output<S>>> {
    const url = `${this.options.server}${path}`;
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      text = await res.text();
    } catch (err) {
      return { ok: false, failure: { kind: 'unreachable', url, reason: unreachableReason(err, this.timeoutMs) } };
    }
    const json = res.status === 204 ? null : parseJson(text);
    if (!expected.includes(res.status)) {
      const problem = Problem.safeParse(json);
      if (problem.success) return { ok: false, failure: { kind: 'problem', problem: problem.data } };
      return unexpected(url, res, `HTTP ${res.status} ${res.statusText} without a problem body`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      return unexpected(url, res, `HTTP ${res.status} with a body that is not the admin API's${at}: ${issue?.message}`);
    }
    return { ok: true, value: parsed.data, json, status: res.status };
  }
}

function topicPath(topic: string): string {
  return `/v1/topics/${encodeURIComponent(topic)}`;
}

function groupPath(group: string): string {
  return `/v1/groups/${encodeURIComponent(group)}`;
}

function mapValue<T, U>(result: Answer<T>, f: (value: T, status: number) => U): AdminResult<U> {
  return result.ok ? { ok: true, value: f(result.value, result.status), json: result.json } : result;
}

function unexpected(url: string, res: Response, reason: string): Answer<never> {
  return { ok: false, failure: { kind: 'unexpected', url, status: res.status, reason } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch rejects with a TypeError whose `cause` carries the system error code (ECONNREFUSED, ENOTFOUND, ...). */
function unreachableReason(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return 'host not found';
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
