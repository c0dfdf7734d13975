import { Code } from '../../lib/errors.js';
import type { GroupConfig } from '../../messaging/groups.js';
import { OK_STATUS } from './status.js';
import type { TelemetryCommand, WireRetryPolicy, WireSettings } from './wire.js';

export interface SettingsPolicy {
  /** Advertised to producers as `publishing.max_body_size`; replaces the client's own limit (PROTOCOL.md §4.3). */
  readonly maxBodyBytes: number;
}

/** Whole seconds only: the client drops nanos and reads seconds as milliseconds (PROTOCOL.md §0.7). */
const PRODUCER_BACKOFF: WireRetryPolicy = {
  max_attempts: 3,
  exponential_backoff: { initial: { seconds: 1 }, max: { seconds: 10 }, multiplier: 2 },
};

/** The group's policy as consumers read it: `max_attempts` counts deliveries (groups.ts), durations whole seconds. */
function groupBackoff(group: GroupConfig): WireRetryPolicy {
  const { initialMs, maxMs, multiplier } = group.retryPolicy;
  return {
    max_attempts: group.maxDeliveryAttempts,
    exponential_backoff: {
      initial: { seconds: Math.floor(initialMs / 1000) },
      max: { seconds: Math.floor(maxMs / 1000) },
      multiplier,
    },
  };
}

const CONSUMER_TYPES: readonly unknown[] = [
  'PUSH_CONSUMER',
  'LITE_PUSH_CONSUMER',
  'SIMPLE_CONSUMER',
  'LITE_SIMPLE_CONSUMER',
];

/** Whether the reply to these settings needs the client's consumer group (resolved by the caller). */
export function isConsumer(client: WireSettings): boolean {
  return CONSUMER_TYPES.includes(client.client_type);
}

const PUSH_RECEIVE_BATCH_SIZE = 32;
const PUSH_LONG_POLLING_SECONDS = 20;

/**
 * The broker's answer to a client's `Settings` (PROTOCOL.md §4.3, Appendix A). Never an echo: a producer needs
 * `max_body_size` and an exponential backoff, a push consumer a batch size above 0 and its group's FIFO flag and retry
 * policy (`group`, which the caller resolves for every consumer, see `isConsumer`). An unknown client type, or a
 * consumer without its group, is rejected in-band with a status-only command, which fails the client's `startup()`
 * instead of making it reconnect forever.
 */
export function settingsReply(client: WireSettings, policy: SettingsPolicy, group?: GroupConfig): TelemetryCommand {
  const common = {
    client_type: client.client_type,
    ...(client.request_timeout && { request_timeout: client.request_timeout }),
  };
  if (client.client_type === 'PRODUCER') {
    return {
      status: OK_STATUS,
      settings: {
        ...common,
        backoff_policy: PRODUCER_BACKOFF,
        publishing: {
          topics: client.publishing?.topics ?? [],
          max_body_size: policy.maxBodyBytes,
          validate_message_type: true,
        },
      },
    };
  }
  if (!isConsumer(client)) {
    return {
      status: {
        code: Code.UNRECOGNIZED_CLIENT_TYPE,
        message: `unsupported client type ${String(client.client_type ?? 'CLIENT_TYPE_UNSPECIFIED')}`,
      },
    };
  }
  if (!group) return { status: { code: Code.ILLEGAL_CONSUMER_GROUP, message: 'the consumer group is unknown' } };
  if (client.client_type === 'SIMPLE_CONSUMER' || client.client_type === 'LITE_SIMPLE_CONSUMER') {
    // The client ignores the content but waits for the command; the group's settings are there for the record.
    return {
      status: OK_STATUS,
      settings: {
        ...common,
        backoff_policy: groupBackoff(group),
        subscription: { ...client.subscription, fifo: group.fifo },
      },
    };
  }
  return {
    status: OK_STATUS,
    settings: {
      ...common,
      backoff_policy: groupBackoff(group),
      subscription: {
        ...(client.subscription?.group && { group: client.subscription.group }),
        subscriptions: client.subscription?.subscriptions ?? [],
        fifo: group.fifo,
        receive_batch_size: PUSH_RECEIVE_BATCH_SIZE,
        long_polling_timeout: { seconds: PUSH_LONG_POLLING_SECONDS },
      },
    },
  };
}
