import { type RocketryProcess, startRocketry, type TempDir, tempDir } from '@rocketry/testkit';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';

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

async function startBroker(dataDir: string): Promise<{ process: RocketryProcess; grpc: string }> {
  const p = await startRocketry(
    [
      'broker',
      ...['--data-dir', dataDir, '--auto-create', '--flush', 'sync'],
      ...['--grpc-host', '127.0.0.1', '--grpc-port', '0', '--admin-host', '127.0.0.1', '--admin-port', '0'],
      ...['--segment-mib', '8', '--log-level', 'info'],
    ],
    /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
  );
  processes.push(p);
  return { process: p, grpc: p.ready[1] as string };
}

async function consumer(endpoint: string, group: string, topic: string): Promise<SimpleConsumer> {
  const c = new SimpleConsumer({
    endpoints: endpoint,
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    awaitDuration: 2000,
    logger: silentClientLogger,
  });
  await c.startup();
  clients.push(c);
  return c;
}

describe('pop state across a broker crash (kill -9)', () => {
  it('redelivers what was received but not acked, never what was acked, and loses nothing', async () => {
    dir = await tempDir('rocketry-pop-crash-');
    const topic = 'crash-orders';
    const group = 'crash-group';
    const first = await startBroker(dir.path);
    const producer = new Producer({
      endpoints: first.grpc,
      namespace: '',
      logger: silentClientLogger,
      topics: [topic],
    });
    await producer.startup();
    clients.push(producer);
    const before = await consumer(first.grpc, group, topic);

    const sent = new Set<string>();
    for (let i = 0; i < 40; i++) sent.add((await producer.send({ topic, body: Buffer.from(`m${i}`) })).messageId);
    const received = new Map<string, Awaited<ReturnType<SimpleConsumer['receive']>>[number]>();
    const deadline = Date.now() + 15_000;
    while (received.size < sent.size && Date.now() < deadline) {
      for (const m of await before.receive(16, 60_000)) received.set(m.messageId, m);
    }
    expect(received.size).toBe(sent.size);
    // Ack every other message; the rest stay in flight (invisible for 60 s) when the broker dies.
    const acked = new Set<string>();
    let i = 0;
    for (const [id, m] of received) {
      if (i++ % 2 === 0) {
        await before.ack(m);
        acked.add(id);
      }
    }
    // The clients leave first (a simple consumer's leave changes nothing server-side): the official client raises
    // unhandled stream errors when its broker vanishes under it. The unacked half is still in flight at the kill.
    for (const c of clients.splice(0)) await c.shutdown();
    await first.process.stop('SIGKILL');

    const second = await startBroker(dir.path);
    const after = await consumer(second.grpc, group, topic);
    const redelivered = new Set<string>();
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      const batch = await after.receive(32, 30_000);
      if (batch.length === 0 && redelivered.size >= sent.size - acked.size) break;
      for (const m of batch) {
        expect(acked.has(m.messageId)).toBe(false);
        redelivered.add(m.messageId);
        await after.ack(m);
      }
    }
    expect(redelivered).toEqual(new Set([...sent].filter((id) => !acked.has(id))));
  });

  it('stops gracefully on SIGTERM: a pending long poll answers at once, acks survive, and the process exits 0', async () => {
    dir = await tempDir('rocketry-pop-term-');
    const topic = 'term-orders';
    const broker = await startBroker(dir.path);
    const producer = new Producer({
      endpoints: broker.grpc,
      namespace: '',
      logger: silentClientLogger,
      topics: [topic],
    });
    await producer.startup();
    const c = new SimpleConsumer({
      endpoints: broker.grpc,
      namespace: '',
      consumerGroup: 'term-group',
      subscriptions: new Map([[topic, '*']]),
      awaitDuration: 20_000,
      logger: silentClientLogger,
    });
    await c.startup();
    const { messageId } = await producer.send({ topic, body: Buffer.from('x') });
    const [m] = await c.receive(1, 60_000);
    expect(m?.messageId).toBe(messageId);
    await c.ack(m as NonNullable<typeof m>);
    await producer.shutdown();

    const poll = c.receive(1, 60_000).then(
      (got) => ({ got: got.length, at: Date.now() }),
      () => ({ got: -1, at: Date.now() }),
    );
    await new Promise((r) => setTimeout(r, 500)); // the long poll is held by the broker now
    const stopped = Date.now();
    const code = await broker.process.stop('SIGTERM');
    const answered = await poll;
    expect(code).toBe(0);
    expect(answered.at - stopped).toBeLessThan(3000);
    expect(broker.process.output()).toMatch(/"msg":"broker stopped"/);
    await c.shutdown().catch(() => {});

    // The ack was saved: a restarted broker does not deliver the message again.
    const again = await startBroker(dir.path);
    const after = await consumer(again.grpc, 'term-group', topic);
    expect(await after.receive(1, 60_000)).toEqual([]);
  });
});
