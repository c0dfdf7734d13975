import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GroupConfig } from '../messaging/groups.js';
import type { Consumption } from '../messaging/pop/consumption.js';
import type { TimerService } from '../messaging/timers/timer-service.js';
import type { TopicConfig } from '../messaging/topics.js';
import type { Transactions } from '../messaging/transactions/transactions.js';
import type { ClientSessions } from '../protocol/grpc/client-sessions.js';
import type { MessageStore } from '../storage/message-store.js';

/** What the health routes need; the whole of what `createAdminServer` needed before the admin REST API. */
export interface HealthDeps {
  readonly registry: Registry;
  readonly log: Logger;
  /** Ready once storage is recovered (and, in later issues, the broker is registered). */
  readonly isReady: () => boolean;
}

/** The part of `Topics` the admin API uses. */
export interface TopicRegistry {
  get(name: string): TopicConfig | undefined;
  list(): [string, TopicConfig][];
  put(name: string, config: TopicConfig): Promise<TopicConfig>;
  delete(name: string): Promise<boolean>;
}

/** The part of `Groups` the admin API uses. */
export interface GroupRegistry {
  get(name: string): GroupConfig | undefined;
  list(): [string, GroupConfig][];
  put(name: string, config: GroupConfig): Promise<GroupConfig>;
  delete(name: string): Promise<boolean>;
}

/** The broker's write permission: off while the broker drains (routes say READ, sends are refused). */
export interface WritePermission {
  readonly writable: boolean;
  set(writable: boolean): Promise<void>;
}

export type MessageLookup = Pick<MessageStore, 'lookupByMessageId' | 'lookupByKey' | 'queueOffsets'>;
export type QueueReader = Pick<MessageStore, 'read' | 'queueOffsets'>;

/** Commands to connected clients over their Telemetry streams. */
export type ClientCommands = Pick<ClientSessions, 'list' | 'printThreadStackTrace' | 'verifyMessage' | 'reconnect'>;

/** Unresolved transactions per topic. */
export type TransactionTable = Pick<Transactions, 'unresolvedByTopic'>;

/** Pending DELAY messages per topic. */
export type TimerTable = Pick<TimerService, 'pendingByTopic'>;

/** The part of pop consumption the admin API uses. */
export type ConsumerProgress = Pick<Consumption, 'lag' | 'resetOffsets'>;

export interface AdminAppDeps extends HealthDeps {
  readonly store: MessageLookup & QueueReader;
  readonly consumption: ConsumerProgress;
  readonly sessions: ClientCommands;
  readonly topics: TopicRegistry;
  readonly groups: GroupRegistry;
  readonly permission: WritePermission;
  /** Unresolved transactions; `/v1/transactions` answers 404 without it. */
  readonly transactions?: TransactionTable | undefined;
  /** Pending timers; `/v1/timers` answers 404 without it. */
  readonly timers?: TimerTable | undefined;
  /** When set, every route but /healthz and /readyz requires `Authorization: Bearer <adminToken>`. */
  readonly adminToken?: string | undefined;
}
