import type { MethodDefinition } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { loadMessagingService } from './protos.js';
import { encodeMessageResponse, encodeSendMessageResponse } from './response-encoders.js';
import type { WireMessage } from './wire.js';

const service = loadMessagingService();
const send = service.SendMessage as MethodDefinition<unknown, unknown>;
const receive = service.ReceiveMessage as MethodDefinition<unknown, unknown>;
const pull = service.PullMessage as MethodDefinition<unknown, unknown>;

/** What a client decodes from `bytes`, next to what it decodes from the generic serializer's bytes. */
function bothWays(method: MethodDefinition<unknown, unknown>, message: WireMessage) {
  return {
    direct: method.responseDeserialize(encodeMessageResponse(message)),
    generic: method.responseDeserialize(method.responseSerialize({ message })),
  };
}

const everyField: WireMessage = {
  topic: { resource_namespace: 'ns-1', name: 'orders' },
  user_properties: { region: 'eu-west', ключ: 'значение ✓', empty: '' },
  system_properties: {
    tag: 'TagA',
    keys: ['k1', 'k-2', '鍵'],
    message_id: '01ABCDEF0123456789',
    body_digest: { type: 'CRC32', checksum: '3632233996' },
    body_encoding: 'GZIP',
    message_type: 'FIFO',
    born_timestamp: { seconds: 1_764_000_000, nanos: 123_000_000 },
    born_host: 'producer-host',
    store_timestamp: { seconds: '1764000001', nanos: 0 },
    store_host: '10.0.0.1:8081',
    delivery_timestamp: { seconds: 1_764_000_100, nanos: 5 },
    receipt_handle: 'AQIDBAUGBwgJCgsMDQ4P',
    queue_id: 7,
    queue_offset: '9007199254740993',
    invisible_duration: { seconds: 30, nanos: 500_000_000 },
    delivery_attempt: 3,
    message_group: 'group-1',
    dead_letter_queue: { topic: 'orders', message_id: '01ABCDEF0123456789' },
    lite_topic: 'lt-a',
    priority: -2,
  },
  body: Buffer.from('x'.repeat(300)),
};

describe('encodeMessageResponse', () => {
  it('decodes to the same ReceiveMessageResponse as the generic serializer, with every field set', () => {
    const { direct, generic } = bothWays(receive, everyField);
    expect(direct).toEqual(generic);
    expect(direct).toMatchObject({
      message: { system_properties: { priority: -2, queue_offset: '9007199254740993' } },
    });
  });

  it('decodes to the same PullMessageResponse, with only the fields a normal delivery sets', () => {
    const minimal: WireMessage = {
      topic: { resource_namespace: '', name: 't' },
      user_properties: {},
      system_properties: {
        keys: [],
        message_id: 'id-1',
        body_digest: { type: 'CRC32', checksum: '0' },
        body_encoding: 'IDENTITY',
        message_type: 'NORMAL',
        born_timestamp: { seconds: 0, nanos: 0 },
        queue_id: 0,
        queue_offset: '0',
        delivery_attempt: 1,
      },
      body: Buffer.alloc(0),
    };
    const { direct, generic } = bothWays(pull, minimal);
    expect(direct).toEqual(generic);
  });

  it('takes enums by number as well as by name', () => {
    const byNumber = {
      ...everyField,
      system_properties: { ...everyField.system_properties, message_type: 2, body_encoding: 2 },
    };
    expect(bothWays(receive, byNumber).direct).toEqual(bothWays(receive, everyField).generic);
  });

  it('refuses an enum name the protocol does not have instead of sending a wrong value', () => {
    const bad = { ...everyField, system_properties: { ...everyField.system_properties, message_type: 'NOPE' } };
    expect(() => encodeMessageResponse(bad)).toThrow(/unknown enum value NOPE/);
  });
});

describe('encodeSendMessageResponse', () => {
  const ok = { code: 20000, message: 'OK' };
  const decoded = (bytes: Buffer) => send.responseDeserialize(bytes);

  it('decodes to the same SendMessageResponse as the generic serializer: entries, failures, recall handles', () => {
    const response = {
      status: { code: 40014, message: 'a FIFO message needs a message group ✗' },
      entries: [
        { status: ok, message_id: 'ID-1', transaction_id: '', offset: 0 },
        { status: ok, message_id: 'ID-2', transaction_id: 'tx-9', offset: 12_345_678, recall_handle: 'rh-ü' },
        { status: { code: 40014, message: 'no group' }, message_id: 'ID-3', transaction_id: '', offset: '0' },
      ],
    };
    expect(decoded(encodeSendMessageResponse(response))).toEqual(decoded(send.responseSerialize(response)));
  });

  it('keeps int64 offsets beyond 2^53 exact', () => {
    const response = {
      status: ok,
      entries: [{ status: ok, message_id: 'm', transaction_id: '', offset: '1152921504606846977' }],
    };
    const got = decoded(encodeSendMessageResponse(response)) as { entries: { offset: string }[] };
    expect(got.entries[0]?.offset).toBe('1152921504606846977');
    expect(got).toEqual(decoded(send.responseSerialize(response)));
  });

  it('encodes a response without entries', () => {
    const response = { status: { code: 40000, message: 'send without messages' }, entries: [] };
    expect(decoded(encodeSendMessageResponse(response))).toEqual(decoded(send.responseSerialize(response)));
  });
});
