import { Code } from '../../lib/errors.js';
import { OK_STATUS } from './status.js';
import type { TelemetryCommand, WireRetryPolicy, WireSettings } from './wire.js';

export interface SettingsPolicy {
  /** Advertised to producers as `publishing.max_body_size`; replaces the client's own limit (PROTOCOL.md §4.3). */
  readonly maxBodyBytes: number;
}

/** Whole seconds only: the client drops nanos and reads seconds as milliseconds (PROTOCOL.md §0.7). */
const exponential = (maxAttempts: number): WireRetryPolicy => ({
  max_attempts: maxAttempts,
  exponential_backoff: { initial: { seconds: 1 }, max: { seconds: 10 }, multiplier: 2 },
});

/** RocketMQ's default for consumer groups: 16 retries, 17 deliveries. Per-group values arrive with the group registry. */
const DEFAULT_MAX_DELIVERY_ATTEMPTS = 17;
const PUSH_RECEIVE_BATCH_SIZE = 32;
const PUSH_LONG_POLLING_SECONDS = 20;

/**
 * The broker's answer to a client's `Settings` (PROTOCOL.md §4.3, Appendix A). Never an echo: a producer needs
 * `max_body_size` and an exponential backoff, a push consumer a batch size above 0. An unknown client type is rejected
 * in-band with a status-only command, which fails the client's `startup()` instead of making it reconnect forever.
 */
export function settingsReply(client: WireSettings, policy: SettingsPolicy): TelemetryCommand {
  const common = {
    client_type: client.client_type,
    ...(client.request_timeout && { request_timeout: client.request_timeout }),
  };
  switch (client.client_type) {
    case 'PRODUCER':
      return {
        status: OK_STATUS,
        settings: {
          ...common,
          backoff_policy: exponential(3),
          publishing: {
            topics: client.publishing?.topics ?? [],
            max_body_size: policy.maxBodyBytes,
            validate_message_type: true,
          },
        },
      };
    case 'PUSH_CONSUMER':
    case 'LITE_PUSH_CONSUMER':
      return {
        status: OK_STATUS,
        settings: {
          ...common,
          backoff_policy: exponential(DEFAULT_MAX_DELIVERY_ATTEMPTS),
          subscription: {
            ...(client.subscription?.group && { group: client.subscription.group }),
            subscriptions: client.subscription?.subscriptions ?? [],
            fifo: false,
            receive_batch_size: PUSH_RECEIVE_BATCH_SIZE,
            long_polling_timeout: { seconds: PUSH_LONG_POLLING_SECONDS },
          },
        },
      };
    case 'SIMPLE_CONSUMER':
    case 'LITE_SIMPLE_CONSUMER':
      // The client ignores the content but waits for the command.
      return { status: OK_STATUS, settings: { ...common, subscription: client.subscription ?? {} } };
    default:
      return {
        status: {
          code: Code.UNRECOGNIZED_CLIENT_TYPE,
          message: `unsupported client type ${String(client.client_type ?? 'CLIENT_TYPE_UNSPECIFIED')}`,
        },
      };
  }
}
