import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RocketryProcess, startRocketry, type TempDir, tempDir } from '@rocketry/testkit';
import { type MessageView, Producer, SimpleConsumer, type TransactionChecker } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/rocketry.js', import.meta.url));
const silentClientLogger = { info() {}, warn() {}, error() {}, debug() {} };
const processes: RocketryProcess[] = [];
const clients: { shutdown(): Promise<unknown> }[] = [];
let dir: TempDir | undefined;

afterEach(async () => {
  for (const c of clients.splice(0)) await c.shutdown().catch(() => {});
  await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
  await dir?.remove();
  dir = undefined;
});

type Resolution = Awaited<ReturnType<TransactionChecker['check']>>;
const UNSPECIFIED = 0 as Resolution;
const COMMIT = 1 as Resolution;
const ROLLBACK = 2 as Resolution;

async function startBroker(dataDir: string): Promise<{ process: RocketryProcess; grpc: string; admin: string }> {
  const p = await startRocketry(
    [
      'broker',
      ...['--data-dir', dataDir, '--auto-create', '--segment-mib', '8', '--log-level', 'info'],
      ...['--grpc-host', '127.0.0.1', '--grpc-port', '0', '--admin-host', '127.0.0.1', '--admin-port', '0'],
      ...['--txn-check-interval-ms', '1000', '--txn-max-checks', '30'],
    ],
    /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
  );
  processes.push(p);
  return { process: p, grpc: p.ready[1] as string, admin: p.ready[2] as string };
}

async function producer(endpoint: string, topic: string, check: (m: MessageView) => Resolution): Promise<Producer> {
  const p = new Producer({
    endpoints: endpoint,
    namespace: '',
    topics: [topic],
    logger: silentClientLogger,
    checker: { check: async (m) => check(m) },
  });
  await p.startup();
  clients.push(p);
  return p;
}

async function consumer(endpoint: string, group: string, topic: string): Promise<SimpleConsumer> {
  const c = new SimpleConsumer({
    endpoints: endpoint,
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    awaitDuration: 1000,
    logger: silentClientLogger,
  });
  await c.startup();
  clients.push(c);
  return c;
}

describe('transactions across a broker crash (kill -9)', () => {
  it('keeps unresolved half messages and resolutions; check-back resolves the unresolved ones after the restart', async () => {
    dir = await tempDir('rocketry-txn-crash-');
    const topic = 'crash-payments-tx';
    const group = 'crash-payments';
    const first = await startBroker(dir.path);
    await consumer(first.grpc, group, topic); // the group starts at the topic's beginning
    const before = await producer(first.grpc, topic, () => UNSPECIFIED);

    const ids = new Map<string, string>(); // body → message id
    const send = async (body: string) => {
      const transaction = before.beginTransaction();
      const receipt = await before.send({ topic, body: Buffer.from(body) }, transaction);
      ids.set(body, receipt.messageId);
      return transaction;
    };
    for (let i = 0; i < 2; i++) await (await send(`committed-${i}`)).commit();
    for (let i = 0; i < 2; i++) await (await send(`rolled-back-${i}`)).rollback();
    for (let i = 0; i < 6; i++) await send(`${i % 2 === 0 ? 'check-commit' : 'check-rollback'}-${i}`);
    const pending = async (admin: string) =>
      (await (await fetch(`${admin}/v1/transactions`)).json()) as { topics: { topic: string; unresolved: number }[] };
    expect((await pending(first.admin)).topics).toMatchObject([{ topic, unresolved: 6 }]);
    expect(await (await fetch(`${first.admin}/metrics`)).text()).toContain(
      `rocketmq_half_messages{topic="${topic}"} 6`,
    );

    // The clients leave first: the official client raises unhandled stream errors when its broker vanishes under it.
    for (const c of clients.splice(0)) await c.shutdown();
    await first.process.stop('SIGKILL');

    const second = await startBroker(dir.path);
    expect((await pending(second.admin)).topics).toMatchObject([{ topic, unresolved: 6 }]);
    const cli = await promisify(execFile)(process.execPath, [
      bin,
      'admin',
      '--server',
      second.admin,
      'transaction',
      'list',
    ]);
    expect(cli.stdout).toMatch(new RegExp(`^TOPIC +UNRESOLVED +OLDEST\n${topic} +6 +\\d`));
    const checked: string[] = [];
    await producer(second.grpc, topic, (m) => {
      const body = m.body.toString();
      checked.push(body);
      return body.startsWith('check-commit') ? COMMIT : ROLLBACK;
    });
    const after = await consumer(second.grpc, group, topic);
    const delivered: MessageView[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const batch = await after.receive(16, 30_000);
      for (const m of batch) {
        delivered.push(m);
        await after.ack(m);
      }
      if (batch.length === 0 && delivered.length >= 5 && (await pending(second.admin)).topics.length === 0) break;
    }
    const expected = ['committed-0', 'committed-1', 'check-commit-0', 'check-commit-2', 'check-commit-4'];
    expect(delivered.map((m) => m.body.toString()).sort()).toEqual([...expected].sort());
    for (const m of delivered) expect(m.messageId).toBe(ids.get(m.body.toString()));
    // Only the unresolved ones were checked; what was resolved before the crash stayed resolved.
    expect(new Set(checked)).toEqual(new Set([...ids.keys()].filter((b) => b.startsWith('check-'))));
    expect((await pending(second.admin)).topics).toEqual([]);
    const metrics = await (await fetch(`${second.admin}/metrics`)).text();
    expect(metrics).toContain(`rocketmq_commit_messages_total{topic="${topic}"} 3`);
    expect(metrics).toContain(`rocketmq_rollback_messages_total{topic="${topic}"} 3`);
    expect(metrics).toMatch(
      new RegExp(`rocketry_transaction_checks_total\\{topic="${topic}",outcome="sent"\\} ([6-9]|\\d\\d)`),
    );
    expect(metrics).toMatch(/# TYPE rocketmq_half_messages gauge\n(?!rocketmq_half_messages\{)/);
  });
});
