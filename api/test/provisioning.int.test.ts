import { type RocketryProcess, startRocketry, type TempDir, tempDir } from '@rocketry/testkit';
import { type MessageView, Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, newTenant, startApi, type TestApi, unique } from './support/harness.js';

/**
 * Local-mode provisioning against a real broker process: topics and groups created through the API appear on the
 * broker (named `<namespace>%<name>` on a shared cluster), their status comes from the broker, and the official
 * client sends and receives on them. One backend is enough here: the database path is covered elsewhere.
 */
const silentClientLogger = { info() {}, warn() {}, error() {}, debug() {} };

describe('provisioning to a local broker', () => {
  const backend = backends()[0] as ReturnType<typeof backends>[number];
  let api: TestApi;
  let broker: RocketryProcess;
  let dir: TempDir;
  let grpc: string;
  let admin: string;
  const region = unique('r');

  beforeAll(async () => {
    dir = await tempDir();
    broker = await startRocketry(
      [
        'broker',
        ...['--data-dir', dir.path, '--segment-mib', '16', '--log-level', 'info'],
        ...['--grpc-host', '127.0.0.1', '--grpc-port', '0', '--admin-host', '127.0.0.1', '--admin-port', '0'],
      ],
      /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
    );
    grpc = broker.ready[1] as string;
    admin = broker.ready[2] as string;
    api = await startApi(backend);
  });
  afterAll(async () => {
    await api?.close();
    await broker?.stop('SIGTERM');
    await dir?.remove();
  });

  it('applies topics and groups to the broker, reports READY, and the official client uses them', async () => {
    const cluster = await api.call('POST', '/v1/clusters', {
      body: { name: unique('local'), region, connection: { mode: 'local', brokerAdminUrls: [admin] } },
    });
    expect(cluster.status, cluster.text).toBe(201);
    const t = await newTenant(api);
    const ins = await api.call('POST', `/v1/tenants/${t.id}/instances`, {
      key: t.adminKey,
      body: { name: 'main', region },
    });
    const namespace: string = ins.body.namespace;
    const base = `/v1/tenants/${t.id}/instances/${ins.body.id}`;
    const topic = await api.call('POST', `${base}/topics`, { key: t.adminKey, body: { name: 'orders', queues: 2 } });
    expect(topic.status, topic.text).toBe(201);
    expect(topic.body.status).toMatchObject({ phase: 'READY', observedGeneration: 1 });
    expect(topic.body.status.conditions[0]).toMatchObject({ type: 'Synced', status: 'True', reason: 'Applied' });
    const group = await api.call('POST', `${base}/consumer-groups`, {
      key: t.adminKey,
      body: { name: 'billing', maxDeliveryAttempts: 3 },
    });
    expect(group.body.status.phase, group.text).toBe('READY');

    const physicalTopic = `${namespace}%orders`;
    const physicalGroup = `${namespace}%billing`;
    const onBroker = await fetch(`${admin}/v1/topics/${encodeURIComponent(physicalTopic)}`);
    expect(await onBroker.json()).toMatchObject({ name: physicalTopic, messageType: 'NORMAL', queues: 2 });
    const groupOnBroker = await fetch(`${admin}/v1/groups/${encodeURIComponent(physicalGroup)}`);
    expect(await groupOnBroker.json()).toMatchObject({ name: physicalGroup, maxDeliveryAttempts: 3 });

    const consumer = new SimpleConsumer({
      endpoints: grpc,
      namespace: '',
      consumerGroup: physicalGroup,
      subscriptions: new Map([[physicalTopic, '*']]),
      awaitDuration: 1000,
      logger: silentClientLogger,
    });
    const producer = new Producer({ endpoints: grpc, namespace: '', logger: silentClientLogger });
    await consumer.startup();
    await producer.startup();
    try {
      await producer.send({ topic: physicalTopic, body: Buffer.from('hello from the control plane') });
      const received: MessageView[] = [];
      const deadline = Date.now() + 20_000;
      while (received.length === 0 && Date.now() < deadline) {
        for (const message of await consumer.receive(16, 10_000)) {
          received.push(message);
          await consumer.ack(message);
        }
      }
      expect(received.map((m) => m.body.toString())).toEqual(['hello from the control plane']);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }

    const grown = await api.call('PATCH', `${base}/topics/orders`, { key: t.adminKey, body: { queues: 4 } });
    expect(grown.body.status).toMatchObject({ phase: 'READY', observedGeneration: 2 });
    expect(await (await fetch(`${admin}/v1/topics/${encodeURIComponent(physicalTopic)}`)).json()).toMatchObject({
      queues: 4,
    });

    expect((await api.call('DELETE', `${base}/topics/orders`, { key: t.adminKey })).status).toBe(204);
    expect((await fetch(`${admin}/v1/topics/${encodeURIComponent(physicalTopic)}`)).status).toBe(404);
    expect((await api.call('DELETE', `${base}/consumer-groups/billing`, { key: t.adminKey })).status).toBe(204);
    expect((await fetch(`${admin}/v1/groups/${encodeURIComponent(physicalGroup)}`)).status).toBe(404);
  });

  it('reports FAILED with the broker as the reason when a broker refuses, and READY once it is fixed', async () => {
    const cluster = await api.call('POST', '/v1/clusters', {
      body: {
        name: unique('half'),
        region: unique('r2'),
        connection: { mode: 'local', brokerAdminUrls: [admin, 'http://127.0.0.1:9/'] },
      },
    });
    const t = await newTenant(api);
    const ins = await api.call('POST', `/v1/tenants/${t.id}/instances`, {
      key: t.adminKey,
      body: { name: 'main', region: cluster.body.region },
    });
    const base = `/v1/tenants/${t.id}/instances/${ins.body.id}`;
    const topic = await api.call('POST', `${base}/topics`, { key: t.adminKey, body: { name: 'orders' } });
    expect(topic.body.status.phase).toBe('FAILED');
    expect(topic.body.status.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'BrokerError',
      message: 'http://127.0.0.1:9/ unreachable',
    });
    const fixed = await api.call('PATCH', `/v1/clusters/${cluster.body.id}`, {
      body: { connection: { mode: 'local', brokerAdminUrls: [admin] } },
    });
    expect(fixed.status).toBe(200);
    const retried = await api.call('PATCH', `${base}/topics/orders`, {
      key: t.adminKey,
      body: { description: 'retry' },
    });
    expect(retried.body.status).toMatchObject({ phase: 'READY', observedGeneration: 2 });
  });
});
