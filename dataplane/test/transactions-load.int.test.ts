import { type MessageView, Producer, type TransactionChecker } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { type GrpcBroker, quietClientLogger, startBroker } from './support/grpc-broker.js';
import { OfficialClients } from './support/official-clients.js';

type Resolution = Awaited<ReturnType<TransactionChecker['check']>>;
const COMMIT = 1 as Resolution;
const ROLLBACK = 2 as Resolution;

let broker: GrpcBroker | undefined;
const clients = new OfficialClients(() => broker?.endpoint ?? '');
afterEach(async () => {
  await clients.shutdownAll();
  await broker?.close();
  broker = undefined;
});

const TOTAL = 600;
const SENDERS = 16;

/** What each transaction does, by its number: commit, roll back, or leave it to the check (which commits evens). */
const planOf = (n: number) => (['commit', 'rollback', 'orphan'] as const)[n % 3];
const expectedDelivered = (n: number) => planOf(n) === 'commit' || (planOf(n) === 'orphan' && n % 2 === 0);

describe('many concurrent transactions', () => {
  it('deliver exactly the committed ones once each, whether the producer or its checker resolved them', async () => {
    broker = await startBroker({
      autoCreate: true,
      transactionPolicy: { checkIntervalMs: 1000, maxChecks: 20, tickMs: 100 },
    });
    const topic = 'load-tx';
    const consumer = await clients.simple('load', { [topic]: '*' });
    const checked = new Set<number>();
    const producer = clients.track(
      new Producer({
        endpoints: broker.endpoint,
        namespace: '',
        topics: [topic],
        logger: quietClientLogger,
        checker: {
          async check(m: MessageView) {
            const n = Number(m.properties.get('n'));
            checked.add(n);
            // Consistent with what the sender does, should a slow run check a transaction before its sender ends it.
            return expectedDelivered(n) ? COMMIT : ROLLBACK;
          },
        },
      }),
    );
    await producer.startup();

    const ids = new Map<number, string>();
    let next = 0;
    const sender = async () => {
      for (let n = next++; n < TOTAL; n = next++) {
        const transaction = producer.beginTransaction();
        const receipt = await producer.send(
          { topic, body: Buffer.from(`tx-${n}`), properties: new Map([['n', String(n)]]) },
          transaction,
        );
        ids.set(n, receipt.messageId);
        if (planOf(n) === 'commit') await transaction.commit();
        if (planOf(n) === 'rollback') await transaction.rollback();
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));

    const want = Array.from({ length: TOTAL }, (_, n) => n).filter(expectedDelivered);
    const got: number[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const batch = await consumer.receive(32, 30_000);
      for (const m of batch) {
        const n = Number(m.properties.get('n'));
        expect(m.messageId).toBe(ids.get(n));
        got.push(n);
        await consumer.ack(m);
      }
      if (batch.length === 0 && got.length >= want.length && broker.server.transactions.size === 0) break;
    }
    expect(got.sort((a, b) => a - b)).toEqual(want);
    const orphans = Array.from({ length: TOTAL }, (_, n) => n).filter((n) => planOf(n) === 'orphan');
    expect(orphans.filter((n) => !checked.has(n))).toEqual([]);
    expect(broker.server.transactions.unresolvedByTopic()).toEqual([]);
  });
});
