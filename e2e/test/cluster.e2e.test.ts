import { type RocketryProcess, startRocketry, type TempDir, tempDir } from '@rocketry/testkit';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';

const silentClientLogger = { info() {}, warn() {}, error() {}, debug() {} };
const HEARTBEAT_MS = 500;
const processes: RocketryProcess[] = [];
const dirs: TempDir[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
  await Promise.all(dirs.splice(0).map((d) => d.remove()));
});

async function startNameServer(): Promise<string> {
  const p = await startRocketry(
    ['namesrv', '--host', '127.0.0.1', '--port', '0', '--expiry-ms', String(2 * HEARTBEAT_MS)],
    /"address":"([^"]+)","expiryMs":\d+,"msg":"name server started"/,
  );
  processes.push(p);
  return p.ready[1] as string;
}

async function startBroker(
  name: string,
  namesrv: string,
): Promise<{ process: RocketryProcess; grpc: string; admin: string }> {
  const dir = await tempDir(`rocketry-${name}-`);
  dirs.push(dir);
  const p = await startRocketry(
    [
      'broker',
      ...['--data-dir', dir.path, '--name', name, '--namesrv', namesrv, '--heartbeat-ms', String(HEARTBEAT_MS)],
      ...['--grpc-host', '127.0.0.1', '--grpc-port', '0', '--admin-host', '127.0.0.1', '--admin-port', '0'],
      ...['--segment-mib', '8', '--log-level', 'info'],
    ],
    /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
  );
  processes.push(p);
  return { process: p, grpc: p.ready[1] as string, admin: p.ready[2] as string };
}

async function storedCount(admin: string, topic: string): Promise<number> {
  const body = (await (await fetch(`${admin}/v1/topics/${topic}`)).json()) as {
    queueOffsets: { maxOffset: string }[];
  };
  return body.queueOffsets.reduce((sum, q) => sum + Number(q.maxOffset), 0);
}

async function routes(namesrv: string, topic: string): Promise<{ brokerName: string; perm: string }[]> {
  const response = await fetch(`http://${namesrv}/v1/routes/${topic}`);
  if (response.status === 404) return [];
  const body = (await response.json()) as { brokers: { brokerName: string; perm: string }[] };
  return body.brokers.sort((x, y) => x.brokerName.localeCompare(y.brokerName));
}

const routedBrokers = async (namesrv: string, topic: string) => (await routes(namesrv, topic)).map((r) => r.brokerName);

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!done(await read())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

describe('two brokers and a name server in separate processes', () => {
  it('drains a broker: routes list it read-only at once, and new producers send only to the other', async () => {
    const namesrv = await startNameServer();
    const a = await startBroker('broker-a', namesrv);
    const b = await startBroker('broker-b', namesrv);
    for (const { admin } of [a, b]) {
      await fetch(`${admin}/v1/topics/orders`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messageType: 'NORMAL', queues: 2 }),
      });
    }
    await waitFor(
      () => routedBrokers(namesrv, 'orders'),
      (names) => names.length === 2,
      5_000,
    );
    const drain = await fetch(`${b.admin}/v1/broker/permission`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ write: false }),
    });
    expect(drain.status).toBe(200);
    // The broker re-registers on the change instead of waiting for its next heartbeat.
    await waitFor(
      () => routes(namesrv, 'orders'),
      (r) => r.map((x) => x.perm).join() === 'RW,R',
      HEARTBEAT_MS,
    );
    const producer = new Producer({ endpoints: b.grpc, namespace: '', logger: silentClientLogger });
    await producer.startup();
    try {
      for (let n = 0; n < 20; n++) await producer.send({ topic: 'orders', body: Buffer.from(`d${n}`) });
    } finally {
      await producer.shutdown();
    }
    expect(await storedCount(a.admin, 'orders')).toBe(20);
    expect(await storedCount(b.admin, 'orders')).toBe(0);
  }, 60_000);

  it('spreads a producer over both brokers, and routes around a killed broker within two heartbeats', async () => {
    const namesrv = await startNameServer();
    const a = await startBroker('broker-a', namesrv);
    const b = await startBroker('broker-b', namesrv);
    for (const { admin } of [a, b]) {
      const put = await fetch(`${admin}/v1/topics/orders`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messageType: 'NORMAL', queues: 4 }),
      });
      expect(put.status).toBe(201);
    }
    await waitFor(
      () => routedBrokers(namesrv, 'orders'),
      (names) => names.length === 2,
      5_000,
    );

    const producer = new Producer({ endpoints: a.grpc, namespace: '', logger: silentClientLogger });
    await producer.startup();
    try {
      for (let n = 0; n < 40; n++) await producer.send({ topic: 'orders', body: Buffer.from(`m${n}`) });
      const [onA, onB] = [await storedCount(a.admin, 'orders'), await storedCount(b.admin, 'orders')];
      expect(onA).toBeGreaterThan(0);
      expect(onB).toBeGreaterThan(0);
      expect(onA + onB).toBe(40);

      await b.process.stop('SIGKILL');
      const droppedAfterMs = await waitFor(
        () => routedBrokers(namesrv, 'orders'),
        (names) => names.join() === 'broker-a',
        10_000,
      );
      expect(droppedAfterMs).toBeLessThanOrEqual(2 * HEARTBEAT_MS + 250);

      const before = await storedCount(a.admin, 'orders');
      for (let n = 0; n < 10; n++) await producer.send({ topic: 'orders', body: Buffer.from(`after${n}`) });
      expect(await storedCount(a.admin, 'orders')).toBe(before + 10);
    } finally {
      // The client notifies every broker it ever routed to, the killed one too: that call fails with UNAVAILABLE.
      await producer.shutdown().catch((err: { code?: number }) => expect(err.code).toBe(14));
    }
  }, 60_000);

  it('one consumer group receives every message sent across both brokers exactly once', async () => {
    const namesrv = await startNameServer();
    const a = await startBroker('broker-a', namesrv);
    const b = await startBroker('broker-b', namesrv);
    for (const { admin } of [a, b]) {
      await fetch(`${admin}/v1/topics/orders`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messageType: 'NORMAL', queues: 4 }),
      });
      await fetch(`${admin}/v1/groups/billing`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({}),
      });
    }
    await waitFor(
      () => routedBrokers(namesrv, 'orders'),
      (names) => names.length === 2,
      5_000,
    );
    const consumer = new SimpleConsumer({
      endpoints: a.grpc,
      namespace: '',
      consumerGroup: 'billing',
      subscriptions: new Map([['orders', '*']]),
      awaitDuration: 500,
      logger: silentClientLogger,
    });
    await consumer.startup();
    const producer = new Producer({ endpoints: b.grpc, namespace: '', logger: silentClientLogger });
    await producer.startup();
    try {
      const sent = new Set<string>();
      for (let n = 0; n < 60; n++)
        sent.add((await producer.send({ topic: 'orders', body: Buffer.from(`c${n}`) })).messageId);
      expect(await storedCount(a.admin, 'orders')).toBeGreaterThan(0);
      expect(await storedCount(b.admin, 'orders')).toBeGreaterThan(0);
      const seen = new Map<string, number>();
      const deadline = Date.now() + 20_000;
      while (seen.size < sent.size && Date.now() < deadline) {
        // The simple consumer asks each broker in turn.
        for (const m of await consumer.receive(16, 30_000)) {
          seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
          await consumer.ack(m);
        }
      }
      for (let i = 0; i < 4; i++) {
        for (const m of await consumer.receive(16, 30_000)) seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
      }
      expect(new Set(seen.keys())).toEqual(sent);
      expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 60_000);
});
