/**
 * The operator's typed view of a broker's admin API (dataplane/src/admin/openapi.ts), the only way it touches the data
 * plane (never exec or a CLI). One instance talks to one broker. `HttpBrokerAdmin` is the real implementation; tests
 * may pass any object that implements this interface.
 */

export type TopicMessageType = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION' | 'MIXED';

export interface TopicSpec {
  readonly messageType: TopicMessageType;
  readonly queues: number;
}

export interface TopicInfo extends TopicSpec {
  readonly name: string;
  readonly acceptMessageTypes: readonly string[];
}

export interface TopicDetail extends TopicInfo {
  readonly queueOffsets: readonly { queueId: number; minOffset: string; maxOffset: string }[];
}

export interface RetryPolicy {
  readonly type: 'exponential';
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
}

/** A consumer group as PUT replaces it; omitted fields take the broker's defaults. */
export interface GroupSpec {
  readonly fifo?: boolean;
  readonly maxDeliveryAttempts?: number;
  readonly retryPolicy?: Partial<RetryPolicy>;
}

export interface GroupInfo {
  readonly name: string;
  readonly fifo: boolean;
  readonly maxDeliveryAttempts: number;
  readonly retryPolicy: RetryPolicy;
  readonly deadLetterTopic: string;
}

export interface GroupLag {
  readonly group: string;
  /** Messages waiting for a delivery, summed over queues. */
  readonly ready: number;
  /** Delivered and not acked yet. */
  readonly inflight: number;
  readonly queues: readonly {
    topic: string;
    queueId: number;
    committedOffset: number;
    maxOffset: number;
    ready: number;
    inflight: number;
    oldestReadyAgeMs: number | null;
    oldestUnconsumedAgeMs: number | null;
  }[];
}

/** What a write returned: `created` (201) or `updated` (200). */
export type PutOutcome<T> = { readonly kind: 'created' | 'updated'; readonly value: T };

export interface BrokerAdmin {
  /** The admin base URL, for messages. */
  readonly url: string;
  /** `/healthz` answered 200. Never throws. */
  healthy(): Promise<boolean>;
  /** `/readyz` answered 200. Never throws. */
  ready(): Promise<boolean>;

  listTopics(): Promise<TopicInfo[]>;
  /** Undefined when the broker has no such topic. */
  getTopic(name: string): Promise<TopicDetail | undefined>;
  /** Create, or raise queues (never lower; the message type is fixed): 409 → `BrokerAdminError` code 409. */
  putTopic(name: string, spec: TopicSpec): Promise<PutOutcome<TopicDetail>>;
  /** False when it did not exist. */
  deleteTopic(name: string): Promise<boolean>;

  listGroups(): Promise<GroupInfo[]>;
  getGroup(name: string): Promise<GroupInfo | undefined>;
  putGroup(name: string, spec: GroupSpec): Promise<PutOutcome<GroupInfo>>;
  deleteGroup(name: string): Promise<boolean>;
  /** Undefined when the broker has no such group. */
  groupLag(name: string): Promise<GroupLag | undefined>;

  /** Whether the broker takes new messages (false while drained). */
  getPermission(): Promise<{ write: boolean }>;
  setPermission(write: boolean): Promise<{ write: boolean }>;
}

/** A broker's admin answer outside 2xx (with its RFC 9457 problem), or no answer at all (`status` 0). */
export class BrokerAdminError extends Error {
  override readonly name = 'BrokerAdminError';
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** How the operator reaches a broker: by its admin URL and bearer token (tests swap in fakes here). */
export type BrokerAdminFactory = (adminUrl: string, token: string | undefined) => BrokerAdmin;
