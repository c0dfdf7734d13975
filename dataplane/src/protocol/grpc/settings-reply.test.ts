import { describe, expect, it } from 'vitest';
import { Code } from '../../lib/errors.js';
import { settingsReply } from './settings-reply.js';

const policy = { maxBodyBytes: 4_128_768 };

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

  it('gives push and lite push consumers a batch size, long polling and 17 delivery attempts', () => {
    for (const client_type of ['PUSH_CONSUMER', 'LITE_PUSH_CONSUMER']) {
      const reply = settingsReply({ client_type, subscription: { group: { name: 'g' }, subscriptions: [] } }, policy);
      expect(reply.settings?.subscription).toEqual({
        group: { name: 'g' },
        subscriptions: [],
        fifo: false,
        receive_batch_size: 32,
        long_polling_timeout: { seconds: 20 },
      });
      expect(reply.settings?.backoff_policy?.max_attempts).toBe(17);
      expect(reply.settings?.backoff_policy?.exponential_backoff).toBeDefined();
    }
  });

  it('echoes a simple consumer its subscription', () => {
    const subscription = { group: { name: 'g' }, subscriptions: [{ topic: { name: 't' } }] };
    expect(settingsReply({ client_type: 'SIMPLE_CONSUMER', subscription }, policy).settings).toEqual({
      client_type: 'SIMPLE_CONSUMER',
      subscription,
    });
  });

  it('answers an unknown client type with a status and no settings', () => {
    const reply = settingsReply({ client_type: 'PULL_CONSUMER' }, policy);
    expect(reply.settings).toBeUndefined();
    expect(reply.status?.code).toBe(Code.UNRECOGNIZED_CLIENT_TYPE);
  });
});
