import type { MessageView, SimpleConsumer } from 'rocketmq-client-nodejs';
import { describe, type ExpectStatic, it } from 'vitest';
import {
  AWAIT_MS,
  clientsOf,
  codesInCauseChain,
  fileBroker,
  groupName,
  INV_MS,
  receiveCount,
  receiveFor,
  receiveOwn,
  type ScenarioClients,
  scenarioProperties,
  topicName,
} from './scenario-support.js';

/** SCENARIOS.md group V: invisible time, acks and receipt handles (INV shortened to 3 s, AWAIT to 2 s). */
const broker = fileBroker();
const endpoint = () => broker().endpoint;

const INVALID_RECEIPT_HANDLE = 40013;
const ILLEGAL_INVISIBLE_TIME = 40011;

/**
 * A started consumer and producer on a fresh topic, one own message sent and received (unacked, with INV): its first
 * delivery, checked with the test's `expect`.
 */
async function receiveOne(
  clients: ScenarioClients,
  scn: string,
  expect: ExpectStatic,
): Promise<{ consumer: SimpleConsumer; first: MessageView; receivedAt: number }> {
  const topic = topicName(scn);
  const consumer = await clients.simple(groupName(scn), { [topic]: '*' });
  const producer = await clients.producer([topic]);
  const receipt = await producer.send({ topic, body: Buffer.from(scn), properties: scenarioProperties(scn, 0) });
  const [first] = await receiveCount(consumer, scn, 1, { ack: false, invisibleMs: INV_MS });
  const receivedAt = Date.now();
  expect(first?.messageId).toBe(receipt.messageId);
  expect(first?.deliveryAttempt).toBe(1);
  return { consumer, first: first as MessageView, receivedAt };
}

/** Polls until the own message comes back (or `timeoutMs`); returns it unacked with the time it arrived. */
async function awaitRedelivery(
  consumer: SimpleConsumer,
  scn: string,
  timeoutMs: number,
): Promise<{ again: MessageView | undefined; at: number }> {
  const [again] = await receiveCount(consumer, scn, 1, { ack: false, invisibleMs: INV_MS, timeoutMs });
  return { again, at: Date.now() };
}

describe.concurrent('V: invisible time, acks and receipt handles with the official simple consumer', () => {
  it('V01: an acked message is not delivered again while polling for INV + 3 s', async ({ expect, onTestFinished }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const { consumer, first } = await receiveOne(clients, 'V01', expect);
    await consumer.ack(first);
    expect(await receiveFor(consumer, 'V01', INV_MS + 3000)).toEqual([]);
  });

  it('V02: an unacked message stays hidden for 0.7·INV and comes back after INV with attempt 2 and a new handle', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const { consumer, first, receivedAt } = await receiveOne(clients, 'V02', expect);
    const { again, at } = await awaitRedelivery(consumer, 'V02', INV_MS + 3 * AWAIT_MS);
    expect(again).toBeDefined();
    // Nothing came back before: the first redelivery arrived after INV (a little less for the receive's own latency).
    expect(at - receivedAt).toBeGreaterThanOrEqual(0.7 * INV_MS);
    expect(at - receivedAt).toBeGreaterThanOrEqual(INV_MS - 200);
    expect(again?.messageId).toBe(first.messageId);
    expect(again?.deliveryAttempt).toBe(2);
    expect(again?.receiptHandle).not.toBe('');
    expect(again?.receiptHandle).not.toBe(first.receiptHandle);
    await consumer.ack(again as MessageView);
  });

  it('V03: after a redelivery the first handle is rejected with INVALID_RECEIPT_HANDLE and the new one acks', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const { consumer, first } = await receiveOne(clients, 'V03', expect);
    const { again } = await awaitRedelivery(consumer, 'V03', INV_MS + 3 * AWAIT_MS);
    expect(again?.deliveryAttempt).toBe(2);
    const stale = await consumer.ack(first).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(stale, 'the ack with the first handle succeeded').toBeDefined();
    expect(codesInCauseChain(stale)).toContain(INVALID_RECEIPT_HANDLE);
    await expect(consumer.ack(again as MessageView)).resolves.toBeUndefined();
  });

  it('V04: changeInvisibleDuration(3·INV) returns a new handle, hides the message past INV + 3 s, and the new handle acks', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const { consumer, first } = await receiveOne(clients, 'V04', expect);
    const firstHandle = first.receiptHandle;
    await consumer.changeInvisibleDuration(first, 3 * INV_MS);
    // The client replaces the message's handle with the one in the response.
    expect(first.receiptHandle).not.toBe('');
    expect(first.receiptHandle).not.toBe(firstHandle);
    expect(await receiveFor(consumer, 'V04', INV_MS + 3000, { ack: false })).toEqual([]);
    await expect(consumer.ack(first)).resolves.toBeUndefined();
  });

  it('V05: changeInvisibleDuration(1 s) acts as a nack: redelivered within about 1 s + AWAIT with attempt 2', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const { consumer, first } = await receiveOne(clients, 'V05', expect);
    await consumer.changeInvisibleDuration(first, 1000);
    const changedAt = Date.now();
    const { again, at } = await awaitRedelivery(consumer, 'V05', 1000 + 2 * AWAIT_MS);
    expect(again?.messageId).toBe(first.messageId);
    expect(again?.deliveryAttempt).toBe(2);
    expect(at - changedAt).toBeLessThanOrEqual(1000 + AWAIT_MS + 500);
    await consumer.ack(again as MessageView);
  });

  it('V06: a receive with an invisible time of 7 days is rejected with ILLEGAL_INVISIBLE_TIME', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('V06');
    const consumer = await clients.simple(groupName('V06'), { [topic]: '*' });
    const outcome = await receiveOwn(consumer, 'V06', { max: 1, invisibleMs: 7 * 24 * 3600_000 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(outcome, 'the receive succeeded').toBeDefined();
    expect(codesInCauseChain(outcome)).toContain(ILLEGAL_INVISIBLE_TIME);
  });
});
