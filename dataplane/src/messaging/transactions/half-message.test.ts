import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../storage/record-codec.js';
import { SYSTEM_PROPERTY } from '../system-properties.js';
import { asSentMessage, committedMessage, HALF_TOPIC, halfFactsOf, toHalfMessage } from './half-message.js';

const sent = {
  topic: 'orders-tx',
  queueId: 3,
  messageId: '01AB',
  tag: 'paid',
  keys: ['k1'],
  properties: { color: 'red', [SYSTEM_PROPERTY.bornHost]: 'host-1' },
  body: Buffer.from('body'),
  bornTimestamp: 1_700_000_000_000,
  flags: 4,
};

describe('half messages', () => {
  it('go to the half topic with their real topic, queue, transaction id and client as system properties', () => {
    const half = toHalfMessage(sent, 'TXN', 'client-1');
    expect(half).toMatchObject({ topic: HALF_TOPIC, queueId: 0, messageId: '01AB', tag: 'paid', body: sent.body });
    expect(halfFactsOf(half)).toEqual({ transactionId: 'TXN', topic: 'orders-tx', queueId: 3, clientId: 'client-1' });
    expect(halfFactsOf(sent)).toBeUndefined();
  });

  it('commit as the message that was sent: real topic and queue, same id, no transaction properties', () => {
    const half = toHalfMessage(sent, 'TXN', 'client-1');
    const stored = { ...half, body: Buffer.from(half.body) } as unknown as StoredMessage;
    const facts = halfFactsOf(stored);
    if (!facts) throw new Error('not a half message');
    expect(committedMessage(stored, facts)).toEqual(sent);
    expect(asSentMessage(stored, facts)).toMatchObject({ topic: 'orders-tx', queueId: 3, properties: sent.properties });
  });
});
