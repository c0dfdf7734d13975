import { ExponentialBackoffRetryPolicy, type PushConsumer, type TopicRouteData } from 'rocketmq-client-nodejs';
import { describe, it } from 'vitest';
import { clientsOf, fileBroker, groupName, scenarioProperties, timed, topicName } from './scenario-support.js';

/** SCENARIOS.md group C: handshake, settings, routes. */
const broker = fileBroker();
const endpoint = () => broker().endpoint;

/** The client's default body limit, which a Settings reply replaces. */
const CLIENT_DEFAULT_MAX_BODY = 4 * 1024 * 1024;
/** definition.proto enums as the client's route objects carry them. */
const PERMISSION = { READ: 2, WRITE: 3, READ_WRITE: 4 };
const MESSAGE_TYPE_NORMAL = 1;

type SettingsObject = ReturnType<Parameters<PushConsumer['onSettingsCommand']>[1]['toObject']>;

describe.concurrent('C: handshake, settings and routes with the official client', () => {
  it('C01: a producer declaring one topic starts, adopts the Settings reply, sends, and shuts down in time', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('C01');
    const producer = clients.newProducer([topic]);
    const started = await timed(() => producer.startup());
    expect(started.ms).toBeLessThan(15_000);
    const { maxBodySizeBytes } = producer.publishingSettings;
    expect(maxBodySizeBytes).toBeGreaterThan(0);
    // The broker's limit, not the client default: the reply arrived and was adopted.
    expect(maxBodySizeBytes).toBe(broker().store.config.limits.maxBodyBytes);
    expect(maxBodySizeBytes).not.toBe(CLIENT_DEFAULT_MAX_BODY);

    const receipt = await producer.send({ topic, body: Buffer.from('c01'), properties: scenarioProperties('C01', 0) });
    expect(receipt.messageId).not.toBe('');

    const stopped = await timed(() => producer.shutdown());
    expect(stopped.ms).toBeLessThan(5000);
  });

  it('C02: simple and push consumers start, the push consumer gets batch size, long polling and an exponential policy', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('C02');
    const simple = clients.newSimple(groupName('C02'), { [topic]: '*' });
    const simpleStart = await timed(() => simple.startup());
    expect(simpleStart.ms).toBeLessThan(15_000);

    const push = clients.newPush(groupName('C02'), topic, 'C02', () => {
      throw new Error('no message is sent in C02');
    });
    const replies: SettingsObject[] = [];
    const onSettings = push.onSettingsCommand.bind(push);
    push.onSettingsCommand = (endpoints, settings) => {
      replies.push(settings.toObject());
      onSettings(endpoints, settings);
    };
    const pushStart = await timed(() => push.startup());
    expect(pushStart.ms).toBeLessThan(15_000);

    // What the broker sent…
    const reply = replies[0];
    expect(reply?.subscription?.receiveBatchSize).toBeGreaterThan(0);
    const polling = reply?.subscription?.longPollingTimeout;
    const pollingMs = (polling?.seconds ?? 0) * 1000 + Math.floor((polling?.nanos ?? 0) / 1e6);
    expect(pollingMs).toBeGreaterThan(0);
    expect(pollingMs).toBeLessThanOrEqual(60_000);
    expect(reply?.subscription?.fifo).toBe(false);
    expect(reply?.backoffPolicy?.exponentialBackoff).toBeDefined();
    expect(reply?.backoffPolicy?.maxAttempts).toBeGreaterThanOrEqual(1);
    // …and what the push consumer made of it.
    const settings = push.getPushConsumerSettings();
    expect(settings.getReceiveBatchSize()).toBe(reply?.subscription?.receiveBatchSize);
    expect(settings.getLongPollingTimeout()).toBe(pollingMs);
    expect(settings.isFifo()).toBe(false);
    const policy = settings.getRetryPolicy();
    expect(policy).toBeInstanceOf(ExponentialBackoffRetryPolicy);
    expect(policy?.getMaxAttempts()).toBeGreaterThanOrEqual(1);

    await expect(simple.shutdown()).resolves.toBeUndefined();
    await expect(clients.shutdownPush(push)).resolves.toBeUndefined();
  });

  it('C03: the cached route has queue 0 writable and readable, one address with a port per broker, and NORMAL', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('C03');
    const producer = await clients.producer([topic]);
    const route = (producer as unknown as { topicRouteCache: Map<string, TopicRouteData> }).topicRouteCache.get(topic);
    expect(route).toBeDefined();
    const queues = route?.messageQueues ?? [];
    const writable = [PERMISSION.WRITE, PERMISSION.READ_WRITE];
    const readable = [PERMISSION.READ, PERMISSION.READ_WRITE];
    expect(queues.some((q) => q.queueId === 0 && writable.includes(q.permission))).toBe(true);
    expect(queues.some((q) => q.queueId === 0 && readable.includes(q.permission))).toBe(true);
    for (const q of queues) {
      expect(q.broker.endpoints.addressesList).toHaveLength(1);
      expect(q.broker.endpoints.addressesList[0]?.port).toBeGreaterThan(0);
      expect(q.acceptMessageTypesList).toContain(MESSAGE_TYPE_NORMAL);
    }
  });

  it('C04: a producer and a simple consumer declaring two topics each start within 20 s', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topics = [topicName('C04'), topicName('C04')];
    const producer = clients.newProducer(topics);
    const consumer = clients.newSimple(groupName('C04'), Object.fromEntries(topics.map((t) => [t, '*'])));
    const [producerStart, consumerStart] = await Promise.all([
      timed(() => producer.startup()),
      timed(() => consumer.startup()),
    ]);
    expect(producerStart.ms).toBeLessThan(20_000);
    expect(consumerStart.ms).toBeLessThan(20_000);
  });
});
