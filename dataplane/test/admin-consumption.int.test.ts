import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import type { SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageView } from '../src/admin/routes/messages.routes.js';
import { BrokerMetrics } from '../src/metrics/broker-metrics.js';
import { registerConsumerGauges } from '../src/metrics/registry.js';
import { type GrpcBroker, serveAdmin, startBroker } from './support/grpc-broker.js';
import { OfficialClients } from './support/official-clients.js';

let broker: GrpcBroker | undefined;
let admin: { close(): Promise<void> } | undefined;
const clients = new OfficialClients(() => broker?.endpoint ?? '');
afterEach(async () => {
  await clients.shutdownAll();
  await admin?.close();
  admin = undefined;
  await broker?.close();
  broker = undefined;
});

interface QueueLagView {
  topic: string;
  queueId: number;
  committedOffset: number;
  maxOffset: number;
  ready: number;
  inflight: number;
  oldestReadyAgeMs: number | null;
}

async function json<T>(base: string, path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${base}${path}`, init);
  expect(response.status, `${init?.method ?? 'GET'} ${path}`).toBe(200);
  return (await response.json()) as T;
}

/** `name{labels} value` lines of a Prometheus text exposition, as a map from the series to its value. */
async function scrape(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+\{[^}]*\}|\w+) (\S+)$/.exec(line);
    if (m) series.set(m[1] as string, Number(m[2]));
  }
  return series;
}

describe('admin API values after a scripted consumer workload', () => {
  it('reports exact lag per queue, resets to a time, finds messages by id and key, and counts in /metrics', async () => {
    const registry = new Registry();
    broker = await startBroker({ autoCreate: false, metrics: new BrokerMetrics(registry) });
    const topic = 'lag-orders';
    const group = 'lag-group';
    await broker.topics.put(topic, { messageType: 'NORMAL', queues: 4 });
    await broker.groups.put(group, {
      fifo: false,
      maxDeliveryAttempts: 17,
      retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
    });
    registerConsumerGauges(registry, broker.server.consumption);
    const served = await serveAdmin(broker, registry);
    admin = served;
    const { base } = served;

    const producer = await clients.producer([topic]);
    const consumer = await clients.simple(group, { [topic]: '*' });

    // Two batches with a gap: the reset goes to the time between them.
    const send = async (i: number) =>
      (await producer.send({ topic, body: Buffer.from(`m${i}`), keys: [`k-${i}`] })).messageId;
    const first: string[] = [];
    for (let i = 0; i < 10; i++) first.push(await send(i));
    await sleep(50);
    const between = new Date();
    await sleep(50);
    const second: string[] = [];
    for (let i = 10; i < 16; i++) second.push(await send(i));

    // Where each message went: the admin lookup by id names its queue.
    const queueOf = new Map<string, number>();
    for (const id of [...first, ...second]) {
      const view = await json<MessageView>(base, `/v1/messages/${id}?topic=${topic}`);
      expect(view.messageId).toBe(id);
      queueOf.set(id, view.queueId);
    }
    const byKey = await json<{ messages: MessageView[] }>(base, `/v1/messages?topic=${topic}&key=k-12`);
    expect(byKey.messages.map((m) => m.messageId)).toEqual([second[2]]);

    // Receive everything; ack the first batch, keep the second in flight.
    const received = new Map<string, Awaited<ReturnType<SimpleConsumer['receive']>>[number]>();
    const deadline = Date.now() + 10_000;
    while (received.size < 16 && Date.now() < deadline) {
      for (const m of await consumer.receive(16, 60_000)) received.set(m.messageId, m);
    }
    expect(received.size).toBe(16);
    for (const id of first) await consumer.ack(received.get(id) as NonNullable<ReturnType<typeof received.get>>);

    const perQueue = (ids: string[]) => {
      const counts = [0, 0, 0, 0];
      for (const id of ids) {
        const q = queueOf.get(id) as number;
        counts[q] = (counts[q] ?? 0) + 1;
      }
      return counts;
    };
    const lag = await json<{ ready: number; inflight: number; queues: QueueLagView[] }>(
      base,
      `/v1/groups/${group}/lag`,
    );
    expect({ ready: lag.ready, inflight: lag.inflight }).toEqual({ ready: 0, inflight: 6 });
    const firstPerQueue = perQueue(first);
    const secondPerQueue = perQueue(second);
    expect(lag.queues.map((q) => [q.queueId, q.ready, q.inflight, q.maxOffset])).toEqual(
      [0, 1, 2, 3].map((q) => [q, 0, secondPerQueue[q], (firstPerQueue[q] ?? 0) + (secondPerQueue[q] ?? 0)]),
    );

    let metrics = await scrape(base);
    const labels = `topic="${topic}",consumer_group="${group}"`;
    expect(metrics.get(`rocketmq_messages_in_total{topic="${topic}",message_type="normal"}`)).toBe(16);
    expect(metrics.get(`rocketmq_messages_out_total{${labels}}`)).toBe(16);
    expect(metrics.get(`rocketmq_consumer_inflight_messages{${labels}}`)).toBe(6);
    expect(metrics.get(`rocketmq_consumer_ready_messages{${labels}}`)).toBe(0);

    // Back to the time between the batches: each queue restarts after its first-batch messages.
    const reset = await json<{ offsets: { queueId: number; offset: number }[] }>(
      base,
      `/v1/groups/${group}/offsets:reset`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic, to: between.toISOString() }),
      },
    );
    expect(reset.offsets).toEqual([0, 1, 2, 3].map((q) => ({ queueId: q, offset: firstPerQueue[q] })));
    const afterReset = await json<{ ready: number; inflight: number }>(base, `/v1/groups/${group}/lag`);
    expect({ ready: afterReset.ready, inflight: afterReset.inflight }).toEqual({ ready: 6, inflight: 0 });

    const again = new Set<string>();
    const until = Date.now() + 10_000;
    while (again.size < 6 && Date.now() < until) {
      for (const m of await consumer.receive(16, 60_000)) {
        again.add(m.messageId);
        await consumer.ack(m);
      }
    }
    expect(again).toEqual(new Set(second));
    metrics = await scrape(base);
    expect(metrics.get(`rocketmq_messages_out_total{${labels}}`)).toBe(22);
    expect(metrics.get(`rocketmq_consumer_inflight_messages{${labels}}`)).toBe(0);
    const done = await json<{ ready: number; inflight: number; queues: QueueLagView[] }>(
      base,
      `/v1/groups/${group}/lag`,
    );
    expect(done.queues.every((q) => q.committedOffset === q.maxOffset && q.oldestReadyAgeMs === null)).toBe(true);
  });
});
