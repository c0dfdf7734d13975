import type { MessageView, TransactionChecker } from 'rocketmq-client-nodejs';
import { Producer } from 'rocketmq-client-nodejs';
import { describe, it } from 'vitest';
import { quietClientLogger } from '../support/grpc-broker.js';
import {
  AWAIT_MS,
  clientsOf,
  fileBroker,
  groupName,
  receiveCount,
  receiveFor,
  scenarioProperties,
  seqOf,
  sleep,
  topicName,
  until,
} from './scenario-support.js';

/**
 * SCENARIOS.md group T: transactional messages with the official producer. The broker checks unresolved transactions
 * every second (production: 30 s), so the orphan check-back of T03 takes seconds instead of minutes.
 */
const CHECK_INTERVAL_MS = 1000;
const broker = fileBroker({ transactionPolicy: { checkIntervalMs: CHECK_INTERVAL_MS, maxChecks: 10, tickMs: 200 } });
const endpoint = () => broker().endpoint;

/** `TransactionResolution` of the client's protos (the enum is not exported). */
type Resolution = Awaited<ReturnType<TransactionChecker['check']>>;
const UNSPECIFIED = 0 as Resolution;
const COMMIT = 1 as Resolution;
const ROLLBACK = 2 as Resolution;

/** A started producer of `topic` whose checker answers with `check` (a transaction needs one). */
async function transactionalProducer(
  track: <C extends Producer>(c: C) => C,
  topic: string,
  check: (m: MessageView) => Resolution | Promise<Resolution> = () => UNSPECIFIED,
): Promise<Producer> {
  const producer = track(
    new Producer({
      endpoints: endpoint(),
      namespace: '',
      topics: [topic],
      logger: quietClientLogger,
      checker: { check: async (m) => check(m) },
    }),
  );
  await producer.startup();
  return producer;
}

describe.concurrent('T: transactional messages with the official producer', () => {
  it('T01: a committed transaction has a transaction id, stays invisible until the commit, then arrives with the receipt id', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('T01', 'tx');
    await broker().topics.put(topic, { messageType: 'TRANSACTION', queues: 4 });
    const consumer = await clients.simple(groupName('T01'), { [topic]: '*' });
    const producer = await transactionalProducer((c) => clients.track(c), topic);

    const transaction = producer.beginTransaction();
    const receipt = await producer.send(
      { topic, tag: 'T01', keys: ['k-T01'], body: Buffer.from('t01 body'), properties: scenarioProperties('T01', 0) },
      transaction,
    );
    expect(receipt.transactionId).not.toBe('');
    expect(await receiveFor(consumer, 'T01', 3200)).toEqual([]);
    await transaction.commit();

    const [delivered, ...more] = await receiveCount(consumer, 'T01', 1, { timeoutMs: AWAIT_MS + 4000 });
    expect(more).toEqual([]);
    expect(delivered?.messageId).toBe(receipt.messageId);
    expect(delivered).toMatchObject({ topic, tag: 'T01', keys: ['k-T01'] });
    expect(delivered?.body.toString()).toBe('t01 body');
    expect(await receiveFor(consumer, 'T01', AWAIT_MS)).toEqual([]);
  });

  it('T02: a rolled-back transaction is never delivered', async ({ expect, onTestFinished }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('T02', 'tx');
    const consumer = await clients.simple(groupName('T02'), { [topic]: '*' });
    const producer = await transactionalProducer((c) => clients.track(c), topic);

    const transaction = producer.beginTransaction();
    const receipt = await producer.send(
      { topic, body: Buffer.from('t02 body'), properties: scenarioProperties('T02', 0) },
      transaction,
    );
    expect(receipt.transactionId).not.toBe('');
    await transaction.rollback();
    expect(await receiveFor(consumer, 'T02', AWAIT_MS + 5000)).toEqual([]);
  });

  it("T03: orphaned transactions are checked back with their id, body and topic; the checker's commit is delivered, its rollback is not", async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('T03', 'tx');
    const consumer = await clients.simple(groupName('T03'), { [topic]: '*' });
    const checked: { messageId: string; body: string; topic: string; seq: number | undefined }[] = [];
    const producer = await transactionalProducer(
      (c) => clients.track(c),
      topic,
      (m) => {
        const seq = seqOf(m, 'T03');
        checked.push({ messageId: m.messageId, body: m.body.toString(), topic: m.topic, seq });
        return seq === 0 ? COMMIT : seq === 1 ? ROLLBACK : UNSPECIFIED;
      },
    );
    const receipts = [];
    for (const seq of [0, 1]) {
      // Left unresolved: neither commit() nor rollback() is ever called.
      receipts.push(
        await producer.send(
          { topic, body: Buffer.from(`t03 body ${seq}`), properties: scenarioProperties('T03', seq) },
          producer.beginTransaction(),
        ),
      );
    }
    const started = Date.now();
    await until(() => new Set(checked.map((c) => c.seq)).size >= 2, 20_000, 'both transactions checked');
    expect(Date.now() - started).toBeLessThan(90_000);
    for (const seq of [0, 1]) {
      expect(checked.find((c) => c.seq === seq)).toEqual({
        messageId: receipts[seq]?.messageId,
        body: `t03 body ${seq}`,
        topic,
        seq,
      });
    }

    const delivered = await receiveCount(consumer, 'T03', 1, { timeoutMs: AWAIT_MS + 5000 });
    expect(delivered.map((m) => [seqOf(m, 'T03'), m.messageId])).toEqual([[0, receipts[0]?.messageId]]);
    expect(await receiveFor(consumer, 'T03', AWAIT_MS + 3000)).toEqual([]);
    // Each transaction was checked until answered: no more checks once resolved.
    const checksSoFar = checked.length;
    await sleep(2 * CHECK_INTERVAL_MS + 500);
    expect(checked.length).toBe(checksSoFar);
  });
});
