import { createHash, randomBytes } from 'node:crypto';
import type { ClientDuplexStream, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import { ConsumeResult, PayloadTooLargeException } from 'rocketmq-client-nodejs';
import { describe, it, type TestContext } from 'vitest';
import { DEFAULT_GROUP_CONFIG, type GroupConfig } from '../../src/messaging/groups.js';
import { settingsReply } from '../../src/protocol/grpc/settings-reply.js';
import type { WireSettings } from '../../src/protocol/grpc/wire.js';
import { clientMetadata, type GrpcBroker, rawClient } from '../support/grpc-broker.js';
import {
  AWAIT_MS,
  clientsOf,
  groupName,
  receiveCount,
  receiveFor,
  type ScenarioClients,
  scenarioProperties,
  sleep,
  startScenarioBroker,
  topicName,
  until,
} from './scenario-support.js';

/**
 * The server-side checks at the end of SCENARIOS.md that the official client alone cannot drive: Telemetry replies
 * from the client, the Settings builder, push lease renewal (a slow listener, a killed client) and the send-time size
 * guard. Each test starts a broker of its own, as some need special consumption limits.
 */
/** A broker of the test's own, closed after its clients when the test finishes. */
async function brokerFor(
  ctx: Pick<TestContext, 'onTestFinished'>,
  options: Parameters<typeof startScenarioBroker>[0] = {},
): Promise<{ broker: GrpcBroker; clients: ScenarioClients }> {
  const broker = await startScenarioBroker(options);
  return {
    broker,
    clients: clientsOf(
      ctx,
      () => broker.endpoint,
      () => broker.close(),
    ),
  };
}

type WireStatus = { code: string; message?: string };
type Reply = { status?: WireStatus; settings?: Record<string, unknown> };
type ReceiveFrame = {
  status?: WireStatus;
  message?: { system_properties?: { message_id?: string; receipt_handle?: string; delivery_attempt?: number } };
};

/** A raw Telemetry stream of one client id, with the commands the broker wrote to it. */
function openTelemetry(b: GrpcBroker, clientId: string) {
  const client = rawClient(b.endpoint);
  const call = (client.Telemetry as (md: Metadata) => ClientDuplexStream<unknown, Reply>)(clientMetadata(clientId));
  const replies: Reply[] = [];
  const finished = new Promise<{ code: number }>((resolve) => call.on('status', resolve));
  call.on('data', (reply: Reply) => replies.push(reply));
  call.on('error', () => {}); // a cancelled call reports CANCELLED; `finished` has the status
  return { client, call, replies, finished };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe.concurrent('Telemetry: commands the client writes back', () => {
  it('takes a thread stack trace and verify-message replies matched by nonce without breaking the stream', async ({
    expect,
    onTestFinished,
  }) => {
    const { broker } = await brokerFor({ onTestFinished }, { settingsRepeatMs: 60_000 });
    const { client, call, replies, finished } = openTelemetry(broker, `raw-${randomBytes(3).toString('hex')}`);
    const settings = { client_type: 'PRODUCER', publishing: { topics: [{ name: 'cf-S-telemetry-normal' }] } };
    call.write({ settings });
    await until(() => replies.length >= 1, 5000, 'the first settings reply');

    // What the official client writes after print_thread_stack_trace_command and verify_message_command (§4.1).
    call.write({ status: { code: 'OK' }, thread_stack_trace: { nonce: 'nonce-1', thread_stack_trace: 'mock stack' } });
    call.write({
      status: { code: 'NOT_IMPLEMENTED', message: 'verify' },
      verify_message_command: { nonce: 'nonce-2' },
    });
    call.write({ status: { code: 'OK' }, verify_message_result: { nonce: 'nonce-3' } });
    // The stream still works: the next Settings is answered, and nothing else was written in between.
    call.write({ settings });
    await until(() => replies.length >= 2, 5000, 'the second settings reply');
    await sleep(200);
    expect(replies).toHaveLength(2);
    for (const reply of replies) {
      expect(reply.status?.code).toBe('OK');
      expect(reply.settings).toMatchObject({
        client_type: 'PRODUCER',
        publishing: { max_body_size: expect.any(Number) },
      });
    }
    expect(call.writable).toBe(true);
    call.end();
    expect((await finished).code).toBe(0);
    client.close();
  });
});

describe.concurrent('Settings builder: never a reply without batch size, body limit or exponential backoff', () => {
  const policy = { maxBodyBytes: 4_128_768 };
  const groups: GroupConfig[] = [
    DEFAULT_GROUP_CONFIG,
    {
      fifo: true,
      maxDeliveryAttempts: 1,
      retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 1000, multiplier: 1 },
    },
    {
      fifo: false,
      maxDeliveryAttempts: 1000,
      retryPolicy: { type: 'exponential', initialMs: 7_200_000, maxMs: 7_200_000, multiplier: 10 },
    },
  ];
  const clientTypes = ['PRODUCER', 'PUSH_CONSUMER', 'LITE_PUSH_CONSUMER', 'SIMPLE_CONSUMER', 'LITE_SIMPLE_CONSUMER'];
  // From bare to complete: the reply must not depend on what the client happened to send.
  const variants = (client_type: string): WireSettings[] => [
    { client_type },
    { client_type, request_timeout: { seconds: 3 } },
    { client_type, publishing: {}, subscription: {} },
    { client_type, subscription: { group: { name: 'g' } } },
    {
      client_type,
      publishing: { topics: [{ name: 't' }], max_body_size: 0, validate_message_type: false },
      subscription: { group: { name: 'g' }, subscriptions: [{ topic: { name: 't' } }], receive_batch_size: 0 },
      backoff_policy: { max_attempts: 0, customized_backoff: { next: [] } },
    } as WireSettings,
  ];

  it('answers every client type and shape either with complete settings or with a status only', ({ expect }) => {
    let withSettings = 0;
    for (const clientType of clientTypes) {
      for (const client of variants(clientType)) {
        for (const group of [...groups, undefined]) {
          const reply = settingsReply(client, policy, group);
          const label = `${clientType} ${JSON.stringify(client)} ${JSON.stringify(group)}`;
          if (!reply.settings) {
            expect(reply.status?.code, label).not.toBe(20000);
            continue;
          }
          withSettings++;
          const backoff = reply.settings.backoff_policy;
          expect(backoff?.max_attempts, label).toBeGreaterThanOrEqual(1);
          expect(backoff?.customized_backoff, label).toBeUndefined();
          const exponential = backoff?.exponential_backoff;
          expect(Number(exponential?.initial?.seconds), label).toBeGreaterThanOrEqual(1);
          expect(Number(exponential?.max?.seconds), label).toBeGreaterThanOrEqual(
            Number(exponential?.initial?.seconds),
          );
          expect(exponential?.multiplier, label).toBeGreaterThanOrEqual(1);
          if (clientType === 'PRODUCER') {
            expect(reply.settings.publishing?.max_body_size, label).toBe(policy.maxBodyBytes);
          }
          if (clientType === 'PUSH_CONSUMER' || clientType === 'LITE_PUSH_CONSUMER') {
            expect(reply.settings.subscription?.receive_batch_size, label).toBeGreaterThan(0);
            expect(Number(reply.settings.subscription?.long_polling_timeout?.seconds), label).toBeGreaterThan(0);
            expect(reply.settings.subscription?.fifo, label).toBe(group?.fifo);
          }
        }
      }
    }
    expect(withSettings).toBeGreaterThan(0);
  });
});

describe.concurrent('push lease renewal', () => {
  const limits = { autoRenewMs: 2000, renewEveryMs: 500 };

  it('a push listener slower than the lease sees no duplicate, and its ack with the original handle holds', async ({
    expect,
    onTestFinished,
  }) => {
    const { clients } = await brokerFor({ onTestFinished }, { consumptionLimits: limits });
    const topic = topicName('S-renew');
    const group = groupName('S-renew');
    let deliveries = 0;
    let finished = 0;
    const push = await clients.push(group, topic, 'S-renew', async () => {
      deliveries++;
      await sleep(5000); // 2.5 leases
      finished++;
      return ConsumeResult.SUCCESS;
    });
    const observer = await clients.simple(group, { [topic]: '*' });
    const producer = await clients.producer([topic]);
    await producer.send({ topic, body: Buffer.from('slow'), properties: scenarioProperties('S-renew', 0) });

    await until(() => finished === 1, 15_000, 'the slow listener finished');
    await sleep(limits.autoRenewMs + 1000); // a lease that was not renewed would have run out by now
    expect(deliveries).toBe(1);
    // Once the consumer left (NotifyClientTermination releases what is still renewed), nothing is outstanding.
    await clients.shutdownPush(push);
    expect(await receiveFor(observer, 'S-renew', AWAIT_MS)).toEqual([]);
  });

  it('a killed push client (no NotifyClientTermination) loses its lease: the message comes back with attempt 2', async ({
    expect,
    onTestFinished,
  }) => {
    const clientGraceMs = 1000;
    const { broker, clients } = await brokerFor({ onTestFinished }, { consumptionLimits: limits, clientGraceMs });
    const topic = topicName('S-kill');
    const group = groupName('S-kill');
    const clientId = `raw-push-${randomBytes(3).toString('hex')}`;
    // A push consumer by hand: Telemetry with its Settings (which also subscribes the group), then one receive.
    const telemetry = openTelemetry(broker, clientId);
    telemetry.call.write({
      settings: {
        client_type: 'PUSH_CONSUMER',
        subscription: {
          group: { name: group },
          subscriptions: [{ topic: { name: topic }, expression: { type: 'TAG', expression: '*' } }],
        },
      },
    });
    await until(() => telemetry.replies.length >= 1, 5000, 'the settings reply');
    expect(telemetry.replies[0]?.status?.code).toBe('OK');
    const observer = await clients.simple(group, { [topic]: '*' });
    const producer = await clients.producer([topic]);
    const { messageId } = await producer.send({
      topic,
      body: Buffer.from('kill'),
      properties: scenarioProperties('S-kill', 0),
    });

    const receive = (
      telemetry.client.ReceiveMessage as (
        req: unknown,
        md: Metadata,
        opts: unknown,
      ) => ClientReadableStream<ReceiveFrame>
    )(
      {
        group: { name: group },
        message_queue: { topic: { name: topic }, id: 0 },
        filter_expression: { type: 'TAG', expression: '*' },
        batch_size: 1,
        auto_renew: true,
        long_polling_timeout: { seconds: 2 },
      },
      clientMetadata(clientId),
      { deadline: Date.now() + 6000 },
    );
    const frames: ReceiveFrame[] = [];
    receive.on('data', (frame: ReceiveFrame) => frames.push(frame));
    await new Promise((resolve) => receive.on('status', resolve));
    const delivered = frames.flatMap((f) => (f.message ? [f.message] : []));
    expect(delivered.map((m) => m.system_properties?.message_id)).toEqual([messageId]);
    expect(delivered[0]?.system_properties?.delivery_attempt).toBe(1);

    // Alive (stream open) for longer than a lease: renewed, so the observer in the same group gets nothing.
    expect(await receiveFor(observer, 'S-kill', 2 * limits.autoRenewMs, { ack: false })).toEqual([]);

    // Killed: the stream and channel go away, without NotifyClientTermination.
    telemetry.call.cancel();
    telemetry.client.close();
    const killedAt = Date.now();
    const [again] = await receiveCount(observer, 'S-kill', 1, {
      timeoutMs: clientGraceMs + limits.autoRenewMs + 2 * limits.renewEveryMs + 2 * AWAIT_MS,
    });
    const after = Date.now() - killedAt;
    expect(again?.messageId).toBe(messageId);
    expect(again?.deliveryAttempt).toBe(2);
    // Not released at once as on a goodbye: the client's grace and the rest of its lease ran out first.
    expect(after).toBeGreaterThanOrEqual(clientGraceMs);
    expect(after).toBeLessThanOrEqual(clientGraceMs + limits.autoRenewMs + 2 * limits.renewEveryMs + AWAIT_MS + 500);
  });
});

describe.concurrent('response size guard', () => {
  it('rejects a body over the maximum at send time with MESSAGE_BODY_TOO_LARGE and stores nothing', async ({
    expect,
    onTestFinished,
  }) => {
    const { broker, clients } = await brokerFor({ onTestFinished });
    const topic = topicName('S-size');
    const maxBody = broker.store.config.limits.maxBodyBytes;
    // No declared topics: the first send leaves before the Settings reply lowers the client's own 4 MiB limit.
    const producer = await clients.producer();
    const sent = producer.send({ topic, body: Buffer.alloc(maxBody + 1), properties: scenarioProperties('S-size', 0) });
    await expect(sent).rejects.toBeInstanceOf(PayloadTooLargeException);
    await expect(sent).rejects.toMatchObject({ code: 41301 });
    const config = broker.topics.get(topic);
    for (let queueId = 0; queueId < (config?.queues ?? 0); queueId++) {
      const read = await broker.store.read(topic, queueId, 0n, { maxCount: 10, maxBytes: 1 << 20 });
      expect(read.kind, `queue ${queueId}`).not.toBe('found');
    }
  });

  it('delivers a maximum-size body with 15 KiB of properties to the official client in one frame under 4 MiB', async ({
    expect,
    onTestFinished,
  }) => {
    const { broker, clients } = await brokerFor({ onTestFinished });
    const topic = topicName('S-size');
    const consumer = await clients.simple(groupName('S-size'), { [topic]: '*' });
    const producer = await clients.producer([topic]);
    const body = randomBytes(broker.store.config.limits.maxBodyBytes);
    const properties = scenarioProperties('S-size', 0, { pad: 'p'.repeat(15 * 1024) });
    await producer.send({ topic, body, properties });
    const [m] = await receiveCount(consumer, 'S-size', 1, { timeoutMs: 10_000 });
    expect(m?.body.length).toBe(body.length);
    expect(md5(m?.body ?? Buffer.alloc(0))).toBe(md5(body));
    expect(m?.properties.get('pad')).toHaveLength(15 * 1024);
  });
});
