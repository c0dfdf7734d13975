import type { LagReading } from './lag-reading.js';

/** One queue of `GET /v1/groups/{group}/lag` (dataplane/src/admin/openapi.ts, schema GroupLag). */
export interface QueueLag {
  readonly topic: string;
  readonly queueId: number;
  readonly committedOffset: number;
  readonly maxOffset: number;
  readonly ready: number;
  readonly inflight: number;
  readonly oldestReadyAgeMs: number | null;
  readonly oldestUnconsumedAgeMs: number | null;
}

/** The body of `GET /v1/groups/{group}/lag`. */
export interface GroupLagBody {
  readonly group: string;
  readonly ready: number;
  readonly inflight: number;
  readonly queues: readonly QueueLag[];
}

/** What one broker said. `no-group`: it answered 404, so it holds no state (and no backlog) for the group. */
export type BrokerLag =
  | { readonly adminUrl: string; readonly kind: 'ok'; readonly ready: number; readonly inflight: number }
  | { readonly adminUrl: string; readonly kind: 'no-group' }
  | { readonly adminUrl: string; readonly kind: 'unreachable'; readonly reason: string };

export type ClusterLag = LagReading & { readonly brokers: readonly BrokerLag[] };

export interface ClusterLagOptions {
  /** The brokers' admin bearer token (`ROCKETRY_ADMIN_TOKEN`), when they have one. */
  readonly token?: string;
  /** Per broker; one that takes longer is unreachable. Default 3 s. */
  readonly timeoutMs?: number;
  /** Count only these topics (with the group's retry topics of them); every topic when undefined or empty. */
  readonly topics?: readonly string[];
}

/** The dataplane's code in the 404 problem of a group the broker does not know (dataplane/src/lib/errors.ts). */
const CONSUMER_GROUP_NOT_FOUND = 40403;

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

/** RocketMQ 5's pop retry topic of a group and topic (`%RETRY%<group>_<topic>`), as the broker names it. */
const retryTopic = (group: string, topic: string) => `%RETRY%${group}_${topic}`;

function counted(group: string, topics: readonly string[] | undefined): (topic: string) => boolean {
  if (!topics?.length) return () => true;
  const names = new Set(topics.flatMap((t) => [t, retryTopic(group, t)]));
  return (topic) => names.has(topic);
}

async function brokerLag(
  adminUrl: string,
  group: string,
  options: ClusterLagOptions,
  count: (topic: string) => boolean,
): Promise<BrokerLag> {
  const url = `${adminUrl.replace(/\/+$/, '')}/v1/groups/${encodeURIComponent(group)}/lag`;
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      signal: AbortSignal.timeout(options.timeoutMs ?? 3_000),
    });
    if (response.status === 404) {
      const problem = (await response.json().catch(() => undefined)) as { code?: unknown } | undefined;
      if (problem?.code === CONSUMER_GROUP_NOT_FOUND) return { adminUrl, kind: 'no-group' };
      return { adminUrl, kind: 'unreachable', reason: 'HTTP 404 (not a broker admin endpoint?)' };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { adminUrl, kind: 'unreachable', reason: `HTTP ${response.status}` };
    }
    const body = (await response.json()) as GroupLagBody;
    if (!Array.isArray(body.queues)) return { adminUrl, kind: 'unreachable', reason: 'answer without queues' };
    let ready = 0;
    let inflight = 0;
    for (const q of body.queues) {
      if (!count(q.topic)) continue;
      ready += q.ready;
      inflight += q.inflight;
    }
    return { adminUrl, kind: 'ok', ready, inflight };
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? 'timed out' : errorText(err);
    return { adminUrl, kind: 'unreachable', reason };
  }
}

/**
 * A consumer group's lag over every broker group of a cluster, asked of each broker's admin API at once. The lag is
 * ready plus in-flight messages: in-flight work is still being done, so counting it keeps busy consumers from being
 * scaled away. Any broker that does not answer (connection refused, timeout, 5xx, 401) makes the total unknown,
 * because a partial sum would look like less work than there is. Never throws.
 */
export async function readClusterLag(
  adminUrls: readonly string[],
  group: string,
  options: ClusterLagOptions = {},
): Promise<ClusterLag> {
  if (adminUrls.length === 0) return { kind: 'unknown', reason: 'no broker admin endpoints', brokers: [] };
  const count = counted(group, options.topics);
  const brokers = await Promise.all(adminUrls.map((url) => brokerLag(url, group, options, count)));
  const down = brokers.filter((b) => b.kind === 'unreachable');
  if (down.length > 0) {
    const reason = down.map((b) => `${b.adminUrl}: ${b.reason}`).join('; ');
    return { kind: 'unknown', reason: `${down.length} of ${brokers.length} brokers unreachable (${reason})`, brokers };
  }
  const messages = brokers.reduce((sum, b) => (b.kind === 'ok' ? sum + b.ready + b.inflight : sum), 0);
  return { kind: 'known', messages, brokers };
}
