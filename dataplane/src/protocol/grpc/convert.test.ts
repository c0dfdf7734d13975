import { describe, expect, it } from 'vitest';
import { Code, DataplaneError } from '../../lib/errors.js';
import {
  durationFromMs,
  endpointsOf,
  msFromTimestamp,
  toMessageQueues,
  toPublishedMessage,
  toSendResultEntry,
} from './convert.js';
import { OK_STATUS } from './status.js';
import type { WireMessage } from './wire.js';

const NOW = 1_750_000_000_000;
const wire = (sys: Record<string, unknown> = {}, extra: Partial<WireMessage> = {}): WireMessage => ({
  topic: { name: 'orders', resource_namespace: '' },
  body: Buffer.from('hi'),
  user_properties: { a: '1' },
  system_properties: { message_id: 'ID1', message_type: 'NORMAL', ...sys },
  ...extra,
});

const rejection = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DataplaneError ? err.code : undefined;
  }
  return undefined;
};

describe('toPublishedMessage', () => {
  it('maps id, tag, keys, properties, queue, body and born time of a sent message', () => {
    const msg = toPublishedMessage(
      wire({
        tag: 'A',
        keys: ['k1', 'k2'],
        queue_id: 3,
        born_timestamp: { seconds: '1700000000', nanos: 5_900_000 },
        born_host: 'producer-host',
      }),
      NOW,
    );
    expect(msg).toEqual({
      topic: 'orders',
      queueId: 3,
      messageId: 'ID1',
      type: 'NORMAL',
      tag: 'A',
      keys: ['k1', 'k2'],
      properties: { a: '1' },
      body: Buffer.from('hi'),
      gzipBody: false,
      bornTimestamp: 1_700_000_000_005,
      bornHost: 'producer-host',
    });
  });

  it('fills absent optional fields with empty values and the current time', () => {
    const msg = toPublishedMessage({ topic: { name: 'orders' }, system_properties: {} }, NOW);
    expect(msg).toMatchObject({ queueId: 0, messageId: '', tag: '', keys: [], properties: {}, bornTimestamp: NOW });
    expect(msg.body.byteLength).toBe(0);
  });

  it('derives the type from the properties when the client left it unspecified', () => {
    expect(toPublishedMessage(wire({ message_type: undefined, message_group: 'g' }), NOW).type).toBe('FIFO');
    expect(toPublishedMessage(wire({ message_type: 'MESSAGE_TYPE_UNSPECIFIED' }), NOW).type).toBe('NORMAL');
    expect(
      toPublishedMessage(wire({ message_type: 0, delivery_timestamp: { seconds: 1800000000 } }), NOW),
    ).toMatchObject({ type: 'DELAY', deliveryTimestamp: 1_800_000_000_000 });
  });

  it('marks gzip bodies and rejects unknown encodings and types with BAD_REQUEST', () => {
    expect(toPublishedMessage(wire({ body_encoding: 'GZIP' }), NOW).gzipBody).toBe(true);
    expect(rejection(() => toPublishedMessage(wire({ body_encoding: 7 }), NOW))).toBe(Code.BAD_REQUEST);
    expect(rejection(() => toPublishedMessage(wire({ message_type: 42 }), NOW))).toBe(Code.BAD_REQUEST);
  });

  it('rejects a message without system properties and one in a resource namespace', () => {
    expect(rejection(() => toPublishedMessage({ topic: { name: 'orders' } }, NOW))).toBe(Code.BAD_REQUEST);
    expect(
      rejection(() => toPublishedMessage(wire({}, { topic: { name: 'orders', resource_namespace: 'ns1' } }), NOW)),
    ).toBe(Code.UNSUPPORTED);
  });
});

describe('time conversions', () => {
  it('reads timestamps given as int64 strings or numbers and writes durations in seconds and nanos', () => {
    expect(msFromTimestamp({ seconds: '2', nanos: 999_999 })).toBe(2000);
    expect(msFromTimestamp({ seconds: 1 })).toBe(1000);
    expect(msFromTimestamp(undefined)).toBeUndefined();
    expect(durationFromMs(1500)).toEqual({ seconds: 1, nanos: 500_000_000 });
  });
});

describe('toSendResultEntry', () => {
  it('echoes the client message id and gives the queue offset as an int64 string', () => {
    expect(
      toSendResultEntry({ messageId: 'ID1', transactionId: '', queueId: 0, queueOffset: 2n ** 60n }, OK_STATUS),
    ).toEqual({ status: OK_STATUS, message_id: 'ID1', transaction_id: '', offset: '1152921504606846976' });
  });
});

describe('endpointsOf', () => {
  it('gives one IPv4 or domain-name address with its port', () => {
    expect(endpointsOf('10.0.0.7:8081')).toEqual({ scheme: 'IPv4', addresses: [{ host: '10.0.0.7', port: 8081 }] });
    expect(endpointsOf('broker-0.brokers.ns.svc:8081')).toEqual({
      scheme: 'DOMAIN_NAME',
      addresses: [{ host: 'broker-0.brokers.ns.svc', port: 8081 }],
    });
  });

  it('refuses a missing or zero port, several addresses and IPv6 literals', () => {
    for (const bad of ['broker', 'broker:0', 'a:1;b:2', '::1:8081', 'host:99999']) {
      expect(() => endpointsOf(bad)).toThrow(RangeError);
    }
  });
});

describe('toMessageQueues', () => {
  const broker = { name: 'b0', endpoints: endpointsOf('127.0.0.1:8081') };

  it('lists queues 0..n-1 read-write on broker id 0 with the topic type', () => {
    const queues = toMessageQueues('t', { queues: 2, messageType: 'TRANSACTION' }, broker);
    expect(queues).toEqual(
      [0, 1].map((id) => ({
        topic: { name: 't', resource_namespace: '' },
        id,
        permission: 'READ_WRITE',
        broker: { name: 'b0', id: 0, endpoints: broker.endpoints },
        accept_message_types: ['TRANSACTION'],
      })),
    );
  });

  it('accepts the four RocketMQ types on a MIXED topic', () => {
    const [queue] = toMessageQueues('t', { queues: 1, messageType: 'MIXED' }, broker);
    expect(queue?.accept_message_types).toEqual(['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION']);
  });
});
