import { randomBytes } from 'node:crypto';
import { type RocketryProcess, startRocketry, type TempDir, tempDir } from '@rocketry/testkit';
import { Producer } from 'rocketmq-client-nodejs';

/**
 * Real brokers for the autoscaling tests: the built `rocketry` CLI as processes (one name server, N broker groups),
 * topics and groups made through their admin APIs, messages sent with the official client.
 */
export const silentClientLogger = { info() {}, warn() {}, error() {}, debug() {} };
const HEARTBEAT_MS = 500;

export interface TestBroker {
  readonly grpc: string;
  readonly admin: string;
  readonly process: RocketryProcess;
}

export interface TestCluster {
  readonly namesrv: string;
  readonly brokers: readonly TestBroker[];
  readonly adminUrls: readonly string[];
  stop(): Promise<void>;
}

export async function startCluster(brokerCount: number): Promise<TestCluster> {
  const processes: RocketryProcess[] = [];
  const dirs: TempDir[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await Promise.all(dirs.map((d) => d.remove()));
  };
  try {
    const ns = await startRocketry(
      ['namesrv', '--host', '127.0.0.1', '--port', '0', '--expiry-ms', String(4 * HEARTBEAT_MS)],
      /"address":"([^"]+)","expiryMs":\d+,"msg":"name server started"/,
    );
    processes.push(ns);
    const namesrv = ns.ready[1] as string;
    const brokers: TestBroker[] = [];
    for (let i = 0; i < brokerCount; i++) {
      const name = `as-broker-${i}`;
      const dir = await tempDir(`rocketry-${name}-`);
      dirs.push(dir);
      const p = await startRocketry(
        [
          'broker',
          ...['--data-dir', dir.path, '--name', name, '--group', name, '--namesrv', namesrv],
          ...['--heartbeat-ms', String(HEARTBEAT_MS), '--log-level', 'info', '--segment-mib', '8'],
          ...['--grpc-host', '127.0.0.1', '--grpc-port', '0', '--admin-host', '127.0.0.1', '--admin-port', '0'],
        ],
        /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
      );
      processes.push(p);
      brokers.push({ process: p, grpc: p.ready[1] as string, admin: p.ready[2] as string });
    }
    return { namesrv, brokers, adminUrls: brokers.map((b) => b.admin), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function admin(url: string, method: string, body?: object): Promise<Response> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response;
}

export async function storedCount(adminUrl: string, topic: string): Promise<number> {
  const body = (await (await admin(`${adminUrl}/v1/topics/${topic}`, 'GET')).json()) as {
    queueOffsets: { maxOffset: string }[];
  };
  return body.queueOffsets.reduce((sum, q) => sum + Number(q.maxOffset), 0);
}

async function until(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A fresh topic (2 queues on every broker) and consumer group (on the brokers listed in `groupOn`, default all) that
 * reads the topic from its start, so the group's backlog is exactly the `count` messages then sent.
 */
export async function topicAndGroup(cluster: TestCluster, opts: { groupOn?: readonly number[] } = {}) {
  const suffix = randomBytes(3).toString('hex');
  const topic = `orders-${suffix}`;
  const group = `workers-${suffix}`;
  const hasGroup = (i: number) => opts.groupOn === undefined || opts.groupOn.includes(i);
  for (const [i, b] of cluster.brokers.entries()) {
    await admin(`${b.admin}/v1/topics/${topic}`, 'PUT', { messageType: 'NORMAL', queues: 2 });
    if (hasGroup(i)) await admin(`${b.admin}/v1/groups/${group}`, 'PUT', {});
  }
  await until(async () => {
    const r = await fetch(`http://${cluster.namesrv}/v1/routes/${topic}`);
    return r.ok && ((await r.json()) as { brokers: unknown[] }).brokers.length === cluster.brokers.length;
  }, 10_000);
  // Start the group at the beginning of every queue (as a consumer that reads from the first message would).
  for (const [i, b] of cluster.brokers.entries()) {
    if (hasGroup(i)) await admin(`${b.admin}/v1/groups/${group}/offsets:reset`, 'POST', { topic, to: 'earliest' });
  }
  return { topic, group };
}

/** Sends `count` messages with the official producer (spread over the brokers by its routing). */
export async function send(cluster: TestCluster, topic: string, count: number): Promise<void> {
  const producer = new Producer({ endpoints: cluster.brokers[0]!.grpc, namespace: '', logger: silentClientLogger });
  await producer.startup();
  try {
    for (let n = 0; n < count; n++) await producer.send({ topic, body: Buffer.from(`m${n}`) });
  } finally {
    await producer.shutdown();
  }
}
