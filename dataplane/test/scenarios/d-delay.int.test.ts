import type { MessageView } from 'rocketmq-client-nodejs';
import { describe, it } from 'vitest';
import {
  AWAIT_MS,
  clientsOf,
  fileBroker,
  groupName,
  receiveOwn,
  scenarioProperties,
  seqOf,
  sleep,
  topicName,
} from './scenario-support.js';

/** SCENARIOS.md group D: delay, timed delivery and recall (PROTOCOL.md §7.8, §5 RecallMessage). */
const broker = fileBroker();
const endpoint = () => broker().endpoint;

/** The scenarios' delay (SCENARIOS.md: DELAY = 5 s). */
const DELAY_MS = 5000;

interface Arrival {
  readonly message: MessageView;
  readonly at: number;
}

/** Receives (and acks) this scenario's messages until `done` holds or `ms` pass; each with when it arrived. */
async function collect(
  consumer: Parameters<typeof receiveOwn>[0],
  scn: string,
  ms: number,
  done: (got: readonly Arrival[]) => boolean = () => false,
): Promise<Arrival[]> {
  const deadline = Date.now() + ms;
  const got: Arrival[] = [];
  while (Date.now() < deadline && !done(got)) {
    for (const message of await receiveOwn(consumer, scn)) {
      got.push({ message, at: Date.now() });
      await consumer.ack(message);
    }
  }
  return got;
}

describe.concurrent('D: delay, timed delivery and recall with the official client', () => {
  it('D01: relative and absolute delivery times are kept: not before (-0.5 s), within AWAIT + 4 s after, delivery_timestamp echoed within 1.5 s', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('D01', 'delay');
    const producer = await clients.producer([topic]);
    const consumer = await clients.simple(groupName('D01'), { [topic]: '*' }, AWAIT_MS);

    const relativeAt = Date.now() + DELAY_MS;
    await producer.send({
      topic,
      body: Buffer.from('d01-0'),
      delay: DELAY_MS,
      properties: scenarioProperties('D01', 0),
    });
    const absoluteAt = Date.now() + DELAY_MS + 2000;
    await producer.send({
      topic,
      body: Buffer.from('d01-1'),
      deliveryTimestamp: new Date(absoluteAt),
      properties: scenarioProperties('D01', 1),
    });

    const got = await collect(consumer, 'D01', DELAY_MS + 2000 + AWAIT_MS + 6000, (g) => g.length >= 2);
    const bySeq = new Map(got.map((a) => [seqOf(a.message, 'D01'), a]));
    expect([...bySeq.keys()].sort()).toEqual([0, 1]);
    for (const [seq, requested] of [
      [0, relativeAt],
      [1, absoluteAt],
    ] as const) {
      const arrival = bySeq.get(seq) as Arrival;
      expect(arrival.at, `message ${seq} early`).toBeGreaterThanOrEqual(requested - 500);
      expect(arrival.at, `message ${seq} late`).toBeLessThanOrEqual(requested + AWAIT_MS + 4000);
      const echoed = arrival.message.deliveryTimestamp?.getTime();
      expect(echoed, `message ${seq} delivery_timestamp`).toBeDefined();
      expect(Math.abs((echoed as number) - requested)).toBeLessThanOrEqual(1500);
    }
    expect(got).toHaveLength(2); // each exactly once
  });

  it('D02: a recalled message is never delivered and the recall answers its id; a recall after delivery fails', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('D02', 'delay');
    const producer = await clients.producer([topic]);
    const consumer = await clients.simple(groupName('D02'), { [topic]: '*' }, AWAIT_MS);

    const recalled = await producer.send({
      topic,
      body: Buffer.from('d02-recalled'),
      delay: 8000,
      properties: scenarioProperties('D02', 0),
    });
    const sentAt = Date.now();
    expect(recalled.recallHandle, 'recall handle').toBeTruthy();
    const receipt = await producer.recallMessage(topic, recalled.recallHandle);
    expect(receipt.messageId).toBe(recalled.messageId);

    const control = await producer.send({
      topic,
      body: Buffer.from('d02-control'),
      delay: 1000,
      properties: scenarioProperties('D02', 1),
    });
    expect(control.recallHandle).toBeTruthy();
    const first = await collect(consumer, 'D02', 1000 + AWAIT_MS + 4000, (g) => g.length >= 1);
    expect(first.map((a) => seqOf(a.message, 'D02'))).toEqual([1]);
    expect(first[0]?.message.messageId).toBe(control.messageId);

    await expect(producer.recallMessage(topic, control.recallHandle)).rejects.toThrow(/Failed to recall message/);
    // A second recall of the recalled one fails too.
    await expect(producer.recallMessage(topic, recalled.recallHandle)).rejects.toThrow(/Failed to recall message/);

    // Well past the recalled message's time: it never comes.
    const rest = sentAt + 8000 + AWAIT_MS + 2000 - Date.now();
    const later = await collect(consumer, 'D02', Math.max(rest, 0));
    expect(later.map((a) => seqOf(a.message, 'D02'))).toEqual([]);
    await sleep(0);
  });
});
