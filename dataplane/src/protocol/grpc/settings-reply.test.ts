import { describe, expect, it } from 'vitest';
import { Code } from '../../lib/errors.js';
import { DEFAULT_GROUP_CONFIG, type GroupConfig } from '../../messaging/groups.js';
import { isConsumer, settingsReply } from './settings-reply.js';

const policy = { maxBodyBytes: 4_128_768 };
const fifoGroup: GroupConfig = {
  fifo: true,
  maxDeliveryAttempts: 5,
  retryPolicy: { type: 'exponential', initialMs: 2000, maxMs: 30_000, multiplier: 1.5 },
};

describe('settingsReply', () => {
  it('gives a producer the body limit, type validation and an exponential backoff in whole seconds', () => {
    const reply = settingsReply(
      {
        client_type: 'PRODUCER',
        request_timeout: { seconds: 3 },
        publishing: { topics: [{ name: 'a', resource_namespace: '' }], validate_message_type: true },
      },
      policy,
    );
    expect(reply).toEqual({
      status: { code: 20000, message: 'OK' },
      settings: {
        client_type: 'PRODUCER',
        request_timeout: { seconds: 3 },
        backoff_policy: {
          max_attempts: 3,
          exponential_backoff: { initial: { seconds: 1 }, max: { seconds: 10 }, multiplier: 2 },
        },
        publishing: {
          topics: [{ name: 'a', resource_namespace: '' }],
          max_body_size: 4_128_768,
          validate_message_type: true,
        },
      },
    });
  });

  it('gives push and lite push consumers a batch size, long polling and the default 17 delivery attempts', () => {
    for (const client_type of ['PUSH_CONSUMER', 'LITE_PUSH_CONSUMER']) {
      const reply = settingsReply(
        { client_type, subscription: { group: { name: 'g' }, subscriptions: [] } },
        policy,
        DEFAULT_GROUP_CONFIG,
      );
      expect(reply.settings?.subscription).toEqual({
        group: { name: 'g' },
        subscriptions: [],
        fifo: false,
        receive_batch_size: 32,
        long_polling_timeout: { seconds: 20 },
      });
      expect(reply.settings?.backoff_policy).toEqual({
        max_attempts: 17,
        exponential_backoff: { initial: { seconds: 1 }, max: { seconds: 10 }, multiplier: 2 },
      });
    }
  });

  it("gives a push consumer its group's FIFO flag, delivery attempts and backoff in whole seconds", () => {
    const reply = settingsReply(
      { client_type: 'PUSH_CONSUMER', subscription: { group: { name: 'g' } } },
      policy,
      fifoGroup,
    );
    expect(reply.status?.code).toBe(20000);
    expect(reply.settings?.subscription?.fifo).toBe(true);
    expect(reply.settings?.backoff_policy).toEqual({
      max_attempts: 5,
      exponential_backoff: { initial: { seconds: 2 }, max: { seconds: 30 }, multiplier: 1.5 },
    });
  });

  it("echoes a simple consumer its subscription with its group's FIFO flag and retry policy", () => {
    const subscription = { group: { name: 'g' }, subscriptions: [{ topic: { name: 't' } }] };
    expect(settingsReply({ client_type: 'SIMPLE_CONSUMER', subscription }, policy, fifoGroup).settings).toEqual({
      client_type: 'SIMPLE_CONSUMER',
      backoff_policy: {
        max_attempts: 5,
        exponential_backoff: { initial: { seconds: 2 }, max: { seconds: 30 }, multiplier: 1.5 },
      },
      subscription: { ...subscription, fifo: true },
    });
  });

  it('needs the group for consumers only, and rejects a consumer without one in-band', () => {
    expect(
      ['PUSH_CONSUMER', 'LITE_PUSH_CONSUMER', 'SIMPLE_CONSUMER', 'LITE_SIMPLE_CONSUMER'].every((client_type) =>
        isConsumer({ client_type }),
      ),
    ).toBe(true);
    expect(isConsumer({ client_type: 'PRODUCER' })).toBe(false);
    const reply = settingsReply({ client_type: 'PUSH_CONSUMER', subscription: {} }, policy);
    expect(reply).toEqual({ status: { code: Code.ILLEGAL_CONSUMER_GROUP, message: expect.any(String) } });
  });

  it('answers an unknown client type with a status and no settings', () => {
    const reply = settingsReply({ client_type: 'PULL_CONSUMER' }, policy);
    expect(reply.settings).toBeUndefined();
    expect(reply.status?.code).toBe(Code.UNRECOGNIZED_CLIENT_TYPE);
  });
});
