import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MessageView, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  send,
  silentClientLogger,
  startCluster,
  storedCount,
  type TestCluster,
  topicAndGroup,
} from './brokers.fixture.js';
import { readClusterLag } from './cluster-lag.js';

/** Two broker groups and a name server as processes; backlog sent and consumed with the official client. */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster(2);
}, 60_000);

afterAll(() => cluster?.stop());

describe('readClusterLag against real brokers', () => {
  it('sums a backlog over every broker group, then counts in-flight messages, then reads zero once all are acked', async () => {
    const { topic, group } = await topicAndGroup(cluster);
    await send(cluster, topic, 40);
    const urls = cluster.adminUrls;
    const before = await readClusterLag(urls, group);
    expect(before).toMatchObject({ kind: 'known', messages: 40 });
    const stored = await Promise.all(urls.map((u) => storedCount(u, topic)));
    expect(stored.every((n) => n > 0)).toBe(true);
    expect(before.brokers).toEqual(
      urls.map((adminUrl, i) => ({ adminUrl, kind: 'ok', ready: stored[i], inflight: 0 })),
    );

    const consumer = new SimpleConsumer({
      endpoints: cluster.brokers[0]!.grpc,
      namespace: '',
      consumerGroup: group,
      subscriptions: new Map([[topic, '*']]),
      awaitDuration: 500,
      logger: silentClientLogger,
    });
    await consumer.startup();
    try {
      const held: MessageView[] = [];
      while (held.length === 0) held.push(...(await consumer.receive(8, 60_000)));
      const during = await readClusterLag(urls, group);
      expect(during).toMatchObject({ kind: 'known', messages: 40 });
      expect(during.brokers.reduce((n, b) => n + (b.kind === 'ok' ? b.inflight : 0), 0)).toBe(held.length);

      for (const m of held) await consumer.ack(m);
      let acked = held.length;
      const deadline = Date.now() + 20_000;
      while (acked < 40 && Date.now() < deadline) {
        for (const m of await consumer.receive(16, 60_000)) {
          await consumer.ack(m);
          acked++;
        }
      }
      expect(acked).toBe(40);
    } finally {
      await consumer.shutdown();
    }
    expect(await readClusterLag(urls, group)).toMatchObject({ kind: 'known', messages: 0 });
  });

  it('counts only the listed topics', async () => {
    const { topic, group } = await topicAndGroup(cluster);
    await send(cluster, topic, 6);
    expect(await readClusterLag(cluster.adminUrls, group, { topics: [topic] })).toMatchObject({ messages: 6 });
    expect(await readClusterLag(cluster.adminUrls, group, { topics: ['other-topic'] })).toMatchObject({ messages: 0 });
  });

  it('reads a broker that has no such group as holding no backlog for it', async () => {
    const { topic, group } = await topicAndGroup(cluster, { groupOn: [0] });
    await send(cluster, topic, 10);
    const lag = await readClusterLag(cluster.adminUrls, group);
    expect(lag.kind).toBe('known');
    expect(lag.brokers[0]).toMatchObject({ kind: 'ok' });
    expect(lag.brokers[1]).toEqual({ adminUrl: cluster.adminUrls[1], kind: 'no-group' });
  });

  it('gives unknown lag when a broker does not answer within the timeout', async () => {
    const { group } = await topicAndGroup(cluster);
    const hung: Server = createServer(() => {});
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const lag = await readClusterLag([cluster.adminUrls[0]!, hungUrl], group, { timeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(lag).toMatchObject({ kind: 'unknown', reason: `1 of 2 brokers unreachable (${hungUrl}: timed out)` });
      expect(lag.brokers[0]).toMatchObject({ kind: 'ok' });
    } finally {
      hung.closeAllConnections();
      await new Promise((r) => hung.close(r));
    }
  });

  it('gives unknown lag, never zero, when a broker process is gone or no broker is known', async () => {
    const { group } = await topicAndGroup(cluster);
    await cluster.brokers[1]!.process.stop('SIGKILL');
    const lag = await readClusterLag(cluster.adminUrls, group, { timeoutMs: 1_000 });
    expect(lag.kind).toBe('unknown');
    expect(lag.brokers[1]).toMatchObject({ kind: 'unreachable', adminUrl: cluster.adminUrls[1] });
    expect(await readClusterLag([], group)).toMatchObject({ kind: 'unknown', reason: 'no broker admin endpoints' });
  });
});
