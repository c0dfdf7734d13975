import { describe, expect, it } from 'vitest';
import { isTracedRpc, spanStart, unaryOutcome } from './rpc-attributes.js';

const COMMON = {
  'messaging.system': 'rocketmq',
  'rpc.system': 'grpc',
  'rpc.service': 'apache.rocketmq.v2.MessagingService',
};

const message = (id: string, extra: Record<string, unknown> = {}) => ({
  topic: { name: 'orders', resource_namespace: '' },
  system_properties: { message_id: id, message_type: 'NORMAL', ...extra },
  body: Buffer.from('hello'),
});

describe('spanStart', () => {
  it('names a send after its topic and describes its one message', () => {
    const start = spanStart(
      'SendMessage',
      { messages: [message('01AB', { tag: 'paid', keys: ['k1', 'k2'] })] },
      'client-1',
    );
    expect(start.name).toBe('send orders');
    expect(start.attributes).toEqual({
      ...COMMON,
      'rpc.method': 'SendMessage',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'orders',
      'messaging.client.id': 'client-1',
      'messaging.batch.message_count': 1,
      'messaging.message.id': '01AB',
      'messaging.message.body.size': 5,
      'messaging.rocketmq.message.type': 'normal',
      'messaging.rocketmq.message.tag': 'paid',
      'messaging.rocketmq.message.keys': ['k1', 'k2'],
    });
    expect(start.links).toEqual([]);
  });

  it('counts a batch without naming one message of it', () => {
    const start = spanStart('SendMessage', { messages: [message('A'), message('B'), message('C')] }, '');
    expect(start.attributes['messaging.batch.message_count']).toBe(3);
    expect(start.attributes).not.toHaveProperty('messaging.message.id');
    expect(start.attributes).not.toHaveProperty('messaging.client.id');
  });

  it('links a send to the creation context its messages carry in trace_context', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const start = spanStart(
      'SendMessage',
      { messages: [message('A', { trace_context: traceparent }), message('B', { trace_context: 'garbage' })] },
      '',
    );
    expect(start.links).toEqual([
      {
        context: {
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          traceFlags: 1,
          isRemote: true,
        },
      },
    ]);
  });

  it('describes a receive by the queue topic and the consumer group', () => {
    const start = spanStart(
      'ReceiveMessage',
      { group: { name: 'billing' }, message_queue: { topic: { name: 'orders', resource_namespace: 'ns1' } } },
      'c',
    );
    expect(start.name).toBe('receive orders');
    expect(start.attributes).toMatchObject({
      ...COMMON,
      'rpc.method': 'ReceiveMessage',
      'messaging.operation.type': 'receive',
      'messaging.destination.name': 'orders',
      'messaging.consumer.group.name': 'billing',
      'messaging.rocketmq.client_group': 'billing',
      'messaging.rocketmq.namespace': 'ns1',
    });
  });

  it('describes an ack as a settle of its entries, naming the message when there is one', () => {
    const one = spanStart(
      'AckMessage',
      { group: { name: 'billing' }, topic: { name: 'orders' }, entries: [{ message_id: 'M1', receipt_handle: 'h' }] },
      'c',
    );
    expect(one.name).toBe('ack orders');
    expect(one.attributes).toMatchObject({
      'messaging.operation.type': 'settle',
      'messaging.operation.name': 'ack',
      'messaging.destination.name': 'orders',
      'messaging.consumer.group.name': 'billing',
      'messaging.rocketmq.client_group': 'billing',
      'messaging.batch.message_count': 1,
      'messaging.message.id': 'M1',
    });
    const two = spanStart('AckMessage', { topic: { name: 'orders' }, entries: [{}, {}] }, '');
    expect(two.attributes['messaging.batch.message_count']).toBe(2);
    expect(two.attributes).not.toHaveProperty('messaging.message.id');
  });

  it('falls back to the operation alone when the request names no topic', () => {
    expect(spanStart('SendMessage', {}, '').name).toBe('send');
    expect(spanStart('ReceiveMessage', {}, '').name).toBe('receive');
  });
});

describe('unaryOutcome', () => {
  it('reads the in-band status and the one message id of a send', () => {
    expect(
      unaryOutcome('SendMessage', {
        status: { code: 20000, message: 'OK' },
        entries: [{ status: { code: 20000, message: 'OK' }, message_id: 'X1' }],
      }),
    ).toEqual({ code: 20000, message: 'OK', attributes: { 'messaging.message.id': 'X1' } });
    expect(unaryOutcome('AckMessage', { status: { code: 40402, message: 'no topic' } })).toEqual({
      code: 40402,
      message: 'no topic',
      attributes: {},
    });
  });
});

describe('isTracedRpc', () => {
  it('traces send, receive and ack only', () => {
    expect(['SendMessage', 'ReceiveMessage', 'AckMessage', 'Heartbeat', 'constructor'].map(isTracedRpc)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
