import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BrokerMetrics, noopGrpcMetrics } from './broker-metrics.js';

const values = async (registry: Registry, name: string) =>
  (await registry.getSingleMetric(name)?.get())?.values.map((v) => ({ labels: v.labels, value: v.value })) ?? [];

describe('BrokerMetrics', () => {
  it('labels RPC latency with snake-case request codes and lowercase response code names, in milliseconds', async () => {
    const registry = new Registry();
    const metrics = new BrokerMetrics(registry);
    metrics.observeRpc('SendMessage', 20000, 2);
    metrics.observeRpc('SendMessage', 20000, 4);
    metrics.observeRpc('ForwardMessageToDeadLetterQueue', 41301, 50);
    metrics.observeRpc('QueryRoute', 12345, 1);
    const counts = (await values(registry, 'rocketmq_rpc_latency')).filter((v) => v.labels.le === '+Inf');
    expect(counts).toEqual([
      { labels: { le: '+Inf', protocol_type: 'grpc', request_code: 'send_message', response_code: 'ok' }, value: 2 },
      {
        labels: {
          le: '+Inf',
          protocol_type: 'grpc',
          request_code: 'forward_message_to_dead_letter_queue',
          response_code: 'message_body_too_large',
        },
        value: 1,
      },
      { labels: { le: '+Inf', protocol_type: 'grpc', request_code: 'query_route', response_code: '12345' }, value: 1 },
    ]);
  });

  it('adds a send once per call with the message type in lowercase and every size in the histogram', async () => {
    const registry = new Registry();
    const metrics = new BrokerMetrics(registry);
    metrics.recordSend('t', 'NORMAL', [1000, 5000]);
    metrics.recordSend('t', 'NORMAL', [1]);
    metrics.recordSend('t', 'NORMAL', []);
    const labels = { topic: 't', message_type: 'normal' };
    expect(await values(registry, 'rocketmq_messages_in_total')).toEqual([{ labels, value: 3 }]);
    expect(await values(registry, 'rocketmq_throughput_in_total')).toEqual([{ labels, value: 6001 }]);
    const buckets = (await values(registry, 'rocketmq_message_size')).filter((v) => v.labels.le !== undefined);
    expect(buckets.map((v) => [v.labels.le, v.value])).toEqual([
      [1024, 2],
      [4096, 2],
      [524288, 3],
      [1048576, 3],
      [2097152, 3],
      [4194304, 3],
      ['+Inf', 3],
    ]);
  });

  it('counts producers and consumers apart and ignores other client types', async () => {
    const registry = new Registry();
    const metrics = new BrokerMetrics(registry);
    const producer = { clientType: 'PRODUCER', group: '', language: 'NODE_JS', version: '1.0.8' };
    const consumer = { clientType: 'PUSH_CONSUMER', group: 'g1', language: 'JAVA', version: '5.0.7' };
    metrics.connectionOpened(producer);
    metrics.connectionOpened(producer);
    metrics.connectionOpened(consumer);
    metrics.connectionOpened({ ...consumer, clientType: 'CLIENT_TYPE_UNSPECIFIED' });
    metrics.connectionClosed(producer);
    expect(await values(registry, 'rocketmq_producer_connections')).toEqual([
      { labels: { language: 'node_js', version: '1.0.8' }, value: 1 },
    ]);
    expect(await values(registry, 'rocketmq_consumer_connections')).toEqual([
      { labels: { consumer_group: 'g1', language: 'java', version: '5.0.7' }, value: 1 },
    ]);
  });

  it('has a no-op twin that records nothing', () => {
    expect(() => noopGrpcMetrics.recordSend('t', 'NORMAL', [1])).not.toThrow();
  });
});
