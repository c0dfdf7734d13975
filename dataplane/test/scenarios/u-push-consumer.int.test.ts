import { ConsumeResult, type MessageView, type Producer } from 'rocketmq-client-nodejs';
import { describe, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../src/messaging/groups.js';
import {
  clientsOf,
  fileBroker,
  groupName,
  RUN,
  scenarioProperties,
  seqOf,
  sleep,
  topicName,
  until,
} from './scenario-support.js';

/** SCENARIOS.md group U: the official push consumer. */
const broker = fileBroker();
const endpoint = () => broker().endpoint;

/** Sends `count` own messages of `scn`, eight at a time. */
async function sendMany(producer: Producer, topic: string, scn: string, count: number): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  const sender = async () => {
    for (let seq = next++; seq < count; seq = next++) {
      const receipt = await producer.send({
        topic,
        body: Buffer.from(`${scn}-${seq}`),
        properties: scenarioProperties(scn, seq),
      });
      ids[seq] = receipt.messageId;
    }
  };
  await Promise.all(Array.from({ length: 8 }, sender));
  return ids;
}

/** Deliveries per sequence number, with the time each one reached the listener. */
class Deliveries {
  readonly bySeq = new Map<number, MessageView[]>();
  readonly times = new Map<number, number[]>();
  add(m: MessageView, scn: string): number {
    const seq = seqOf(m, scn) as number;
    const list = this.bySeq.get(seq) ?? [];
    list.push(m);
    this.bySeq.set(seq, list);
    this.times.set(seq, [...(this.times.get(seq) ?? []), Date.now()]);
    return list.length;
  }
  get total(): number {
    let n = 0;
    for (const list of this.bySeq.values()) n += list.length;
    return n;
  }
}

describe.concurrent('U: the official push consumer', () => {
  it('U01: 200 messages are all consumed within 45 s and none twice', async ({ expect, onTestFinished }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('U01');
    const seen = new Deliveries();
    await clients.push(groupName('U01'), topic, 'U01', (m) => {
      seen.add(m, 'U01');
      return ConsumeResult.SUCCESS;
    });
    const producer = await clients.producer([topic]);
    const started = Date.now();
    await sendMany(producer, topic, 'U01', 200);
    await until(() => seen.bySeq.size === 200, 45_000 - (Date.now() - started), 'all 200 consumed');
    await sleep(1000); // a duplicate would show up now
    expect(seen.bySeq.size).toBe(200);
    expect([...seen.bySeq.entries()].filter(([, list]) => list.length > 1).map(([seq]) => seq)).toEqual([]);
  });

  it('U02: a message that fails its first delivery is seen exactly twice, with delivery attempt 1 then 2', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('U02');
    const seen = new Deliveries();
    await clients.push(groupName('U02'), topic, 'U02', (m) =>
      seen.add(m, 'U02') === 1 ? ConsumeResult.FAILURE : ConsumeResult.SUCCESS,
    );
    const producer = await clients.producer([topic]);
    await sendMany(producer, topic, 'U02', 10);
    await until(() => seen.total >= 20, 20_000, 'every message seen twice');
    await sleep(1500); // a third delivery would show up now
    expect(seen.bySeq.size).toBe(10);
    for (const [seq, list] of seen.bySeq) {
      expect(
        list.map((m) => m.deliveryAttempt),
        `message ${seq}`,
      ).toEqual([1, 2]);
      // The client nacks with a backoff of a few milliseconds (PROTOCOL.md §0.7); the broker must honour it.
      const [first, second] = seen.times.get(seq) ?? [];
      expect((second ?? Number.POSITIVE_INFINITY) - (first ?? 0), `message ${seq}`).toBeLessThan(1000);
    }
  });

  it('U03: a message that always fails is delivered max_attempts times, attempts 1..max, then goes to the DLQ', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const maxAttempts = 3;
    const group = groupName('U03');
    await broker().groups.put(group, {
      fifo: false,
      maxDeliveryAttempts: maxAttempts,
      retryPolicy: DEFAULT_RETRY_POLICY,
    });
    const topic = topicName('U03');
    const seen = new Deliveries();
    const consumer = await clients.push(group, topic, 'U03', (m) => {
      seen.add(m, 'U03');
      return ConsumeResult.FAILURE;
    });
    // The value the consumer got in its Settings.
    expect(consumer.getRetryPolicy()?.getMaxAttempts()).toBe(maxAttempts);
    const producer = await clients.producer([topic]);
    const [id] = await sendMany(producer, topic, 'U03', 1);

    await until(() => seen.total >= maxAttempts, 20_000, `${maxAttempts} deliveries`);
    await sleep(8000); // silence
    expect(seen.bySeq.get(0)?.map((m) => m.deliveryAttempt)).toEqual(
      Array.from({ length: maxAttempts }, (_, i) => i + 1),
    );
    const dlq = await broker().store.read(`%DLQ%${group}`, 0, 0n, { maxCount: 10, maxBytes: 1 << 20 });
    const dead = dlq.kind === 'found' ? dlq.messages : [];
    expect(dead.map((m) => m.messageId)).toEqual([id]);
    expect(dead[0]?.properties['cf-run']).toBe(RUN);
  });

  it('U04: three push consumers in one group share 300 messages without duplicates', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('U04');
    const group = groupName('U04');
    const perInstance = [new Deliveries(), new Deliveries(), new Deliveries()];
    for (const seen of perInstance) {
      await clients.push(group, topic, 'U04', (m) => {
        seen.add(m, 'U04');
        return ConsumeResult.SUCCESS;
      });
    }
    const producer = await clients.producer([topic]);
    await sendMany(producer, topic, 'U04', 300);
    const union = () => new Set(perInstance.flatMap((s) => [...s.bySeq.keys()]));
    await until(() => union().size === 300, 45_000, 'all 300 consumed');
    await sleep(1000);
    const total = perInstance.reduce((n, s) => n + s.total, 0);
    expect(union().size).toBe(300);
    expect(total).toBe(300); // no message twice, within or across instances
    expect(perInstance.filter((s) => s.total > 0).length).toBeGreaterThanOrEqual(2);
  });
});
