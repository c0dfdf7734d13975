import { tempDir } from '@rocketry/testkit';
import { Producer, type TransactionChecker } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { HALF_TOPIC } from '../src/messaging/transactions/half-message.js';
import { type GrpcBroker, quietClientLogger, startBroker } from './support/grpc-broker.js';
import { OfficialClients } from './support/official-clients.js';
import { message } from './support/store.js';

type Resolution = Awaited<ReturnType<TransactionChecker['check']>>;
const COMMIT = 1 as Resolution;
const ROLLBACK = 2 as Resolution;
const UNSPECIFIED = 0 as Resolution;

let broker: GrpcBroker | undefined;
const clients = new OfficialClients(() => broker?.endpoint ?? '');
afterEach(async () => {
  await clients.shutdownAll();
  await broker?.close();
  broker = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A broker whose commit log keeps sealed segments for 2 s; transactions are checked every second. */
const start = (dir: Awaited<ReturnType<typeof tempDir>>) =>
  startBroker({
    autoCreate: true,
    dir,
    store: { retention: { retentionMs: 2000, maxDiskUsedRatio: 1 }, retentionCheckIntervalMs: 200 },
    transactionPolicy: { checkIntervalMs: 1000, maxChecks: 100, tickMs: 200 },
  });

function producer(topic: string, check: TransactionChecker['check']): Producer {
  return clients.track(
    new Producer({
      endpoints: broker?.endpoint ?? '',
      namespace: '',
      topics: [topic],
      logger: quietClientLogger,
      checker: { check },
    }),
  );
}

describe('unresolved transactions and commit-log retention', () => {
  it('keep their half messages past the retention of their segment and a restart, and resolve as the checker says', async () => {
    const dir = await tempDir();
    broker = await start(dir);
    const topic = 'kept-payments-tx';
    const consumer = await clients.simple('kept-payments', { [topic]: '*' });
    // Before retention the producer does not know yet: every check is answered UNSPECIFIED.
    const before = producer(topic, async () => UNSPECIFIED);
    await before.startup();
    const receipts = [];
    for (const name of ['commit-me', 'roll-me-back']) {
      receipts.push(await before.send({ topic, body: Buffer.from(name), tag: name }, before.beginTransaction()));
    }
    const halvesEnd = broker.store.maxOffset;

    // Fill past the 1 MiB segment so the one holding the half messages is sealed, then let retention delete it.
    for (let n = 0; n < 80; n++) await broker.store.append(message('filler', 0, n, { body: Buffer.alloc(20_000) }));
    const b = broker;
    await until(() => b.store.minOffset >= halvesEnd, 15_000, 'segment of the half messages deleted');
    expect(broker.store.queueOffsets(HALF_TOPIC, 0)).toMatchObject({ min: 2n, max: 4n }); // the originals are gone
    expect(broker.server.transactions.unresolvedByTopic()).toMatchObject([{ topic, unresolved: 2 }]);
    expect(await consumer.receive(8, 10_000)).toEqual([]);

    await clients.shutdownAll();
    await broker.close(true);
    broker = await start(dir);
    expect(broker.server.transactions.unresolvedByTopic()).toMatchObject([{ topic, unresolved: 2 }]);
    const checked: string[] = [];
    const after = producer(topic, async (m) => {
      checked.push(m.body.toString());
      return m.body.toString() === 'commit-me' ? COMMIT : ROLLBACK;
    });
    await after.startup();
    const again = await clients.simple('kept-payments', { [topic]: '*' });
    const c = broker;
    await until(() => c.server.transactions.unresolvedByTopic().length === 0, 15_000, 'both transactions resolved');
    expect(new Set(checked)).toEqual(new Set(['commit-me', 'roll-me-back']));

    const delivered = [];
    for (let i = 0; i < 3; i++) delivered.push(...(await again.receive(8, 10_000)));
    expect(delivered.map((m) => [m.messageId, m.topic, m.tag, m.body.toString()])).toEqual([
      [receipts[0]?.messageId, topic, 'commit-me', 'commit-me'],
    ]);
  });
});
