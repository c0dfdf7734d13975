import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type RocketryProcess, startRocketry, type TempDir, tempDir } from '@rocketry/testkit';
import { type MessageView, Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/rocketry.js', import.meta.url));
const silentClientLogger = { info() {}, warn() {}, error() {}, debug() {} };
const TOKEN = '0123456789abcdef';

interface Broker {
  readonly process: RocketryProcess;
  readonly dir: TempDir;
  readonly grpc: string;
  readonly admin: string;
}

async function startBroker(extraArgs: readonly string[] = []): Promise<Broker> {
  const dir = await tempDir('rocketry-admin-cli-');
  const process = await startRocketry(
    [
      'broker',
      ...['--data-dir', dir.path, '--grpc-host', '127.0.0.1', '--grpc-port', '0'],
      ...['--admin-host', '127.0.0.1', '--admin-port', '0', '--segment-mib', '8', '--log-level', 'info'],
      ...extraArgs,
    ],
    /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
  );
  return { process, dir, grpc: process.ready[1] as string, admin: process.ready[2] as string };
}

async function stopBroker(broker: Broker | undefined): Promise<void> {
  await broker?.process.stop('SIGKILL');
  await broker?.dir.remove();
}

/** The tester's own admin settings must not leak into the commands under test. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['ROCKETRY_ADMIN_URL', 'ROCKETRY_ADMIN_TOKEN']) if (!(name in extra)) delete env[name];
  return env;
}

/** Runs `rocketry admin <args>` as a user would and resolves with its exit code and output. */
async function admin(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [bin, 'admin', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv(env),
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stdout, stderr };
}

const suffix = () => Math.random().toString(36).slice(2, 8);

describe('rocketry admin against a broker', () => {
  let broker: Broker | undefined;
  const server = () => ['--server', broker?.admin ?? ''];

  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(() => stopBroker(broker));

  it('creates, lists, shows and deletes a topic', async () => {
    const topic = `orders-${suffix()}`;
    const put = await admin([...server(), 'topic', 'put', topic, '--type', 'FIFO', '--queues', '4']);
    expect(put).toMatchObject({ code: 0, stderr: '' });
    expect(put.stdout).toMatch(new RegExp(`^created topic ${topic}\\n`));

    const again = await admin([...server(), 'topic', 'put', topic, '--type', 'FIFO', '--queues', '6']);
    expect(again.stdout).toMatch(new RegExp(`^updated topic ${topic}\\n`));

    const list = await admin([...server(), 'topic', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME +TYPE +QUEUES +ACCEPTS\n/);
    expect(list.stdout).toMatch(new RegExp(`^${topic} +FIFO +6 +FIFO$`, 'm'));

    const json = await admin([...server(), 'topic', 'list', '--json']);
    expect(JSON.parse(json.stdout).topics).toContainEqual({
      name: topic,
      messageType: 'FIFO',
      queues: 6,
      acceptMessageTypes: ['FIFO'],
    });

    const get = await admin([...server(), 'topic', 'get', topic]);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(new RegExp(`^name +${topic}$`, 'm'));
    expect(get.stdout).toMatch(/^5 +0 +0$/m);

    const deleted = await admin([...server(), 'topic', 'delete', topic]);
    expect(deleted).toEqual({ code: 0, stdout: `deleted topic ${topic}\n`, stderr: '' });
    expect((await admin([...server(), 'topic', 'list'])).stdout).not.toContain(topic);
  });

  it('finds a message by key and by id', async () => {
    const topic = `events-${suffix()}`;
    expect((await admin([...server(), 'topic', 'put', topic, '--type', 'NORMAL', '--queues', '1'])).code).toBe(0);
    const producer = new Producer({ endpoints: broker?.grpc ?? '', namespace: '', logger: silentClientLogger });
    await producer.startup();
    let messageId: string;
    try {
      const body = Buffer.from('hello admin');
      ({ messageId } = await producer.send({ topic, tag: 'greeting', keys: ['order-7'], body }));
    } finally {
      await producer.shutdown();
    }

    const found = await admin([...server(), 'message', 'find', '--topic', topic, '--key', 'order-7']);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(new RegExp(`^${messageId} +0 +0 +greeting +\\S+ +order-7$`, 'm'));

    const got = await admin([...server(), 'message', 'get', messageId, '--topic', topic]);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^body +hello admin$/m);

    const none = await admin([...server(), 'message', 'find', '--topic', topic, '--key', 'nobody']);
    expect(none.stdout).toBe(`no messages with key nobody in topic ${topic}\n`);
  });

  it('lists pending timers per topic with the next due time', async () => {
    const topic = `timers-${suffix()}-delay`;
    expect((await admin([...server(), 'topic', 'put', topic, '--type', 'DELAY', '--queues', '1'])).code).toBe(0);
    const producer = new Producer({ endpoints: broker?.grpc ?? '', namespace: '', logger: silentClientLogger });
    await producer.startup();
    const dueAt = new Date(Date.now() + 3_600_000);
    try {
      await producer.send({ topic, body: Buffer.from('later'), deliveryTimestamp: dueAt });
      await producer.send({ topic, body: Buffer.from('even later'), delay: 7_200_000 });
    } finally {
      await producer.shutdown();
    }

    const listed = await admin([...server(), 'timer', 'list', '--topic', topic]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${topic} +2 +${dueAt.toISOString()} +(59m\\d+s|1h0m)$`, 'm'));
    const json = await admin([...server(), '--json', 'timer', 'list']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      topics: expect.arrayContaining([
        { topic, pending: 2, nextDueAt: dueAt.getTime(), nextDueInMs: expect.any(Number) },
      ]),
    });
    const none = await admin([...server(), 'timer', 'list', '--topic', 'nothing-here']);
    expect(none.stdout).toBe('no pending timers in topic nothing-here\n');
  });

  it('puts a group, shows its lag while it consumes, resets it to the earliest offset and deletes it', async () => {
    const topic = `payments-${suffix()}`;
    const group = `billing-${suffix()}`;
    expect((await admin([...server(), 'topic', 'put', topic, '--type', 'NORMAL', '--queues', '1'])).code).toBe(0);

    const retry = ['--retry-initial-ms', '2000', '--retry-max-ms', '60000', '--retry-multiplier', '3'];
    const put = await admin([...server(), 'group', 'put', group, '--max-attempts', '5', ...retry]);
    expect(put).toMatchObject({ code: 0, stderr: '' });
    expect(put.stdout).toMatch(new RegExp(`^created group ${group}\\n\\nname +${group}\\n`));
    expect(put.stdout).toMatch(/^max attempts +5 /m);
    expect(put.stdout).toMatch(new RegExp(`^dead letters +%DLQ%${group}$`, 'm'));

    const list = await admin([...server(), 'group', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${group} +no +5 +2s x3 up to 1m0s$`, 'm'));
    const got = await admin([...server(), 'group', 'get', group, '--json']);
    expect(JSON.parse(got.stdout)).toEqual({
      name: group,
      fifo: false,
      maxDeliveryAttempts: 5,
      retryPolicy: { type: 'exponential', initialMs: 2000, maxMs: 60_000, multiplier: 3 },
      deadLetterTopic: `%DLQ%${group}`,
    });
    expect((await admin([...server(), 'group', 'lag', group])).stdout).toBe(
      `group ${group} has consumed nothing on this broker yet\n`,
    );

    const endpoints = broker?.grpc ?? '';
    const producer = new Producer({ endpoints, namespace: '', logger: silentClientLogger });
    const consumer = new SimpleConsumer({
      endpoints,
      namespace: '',
      consumerGroup: group,
      subscriptions: new Map([[topic, '*']]),
      awaitDuration: 1000,
      logger: silentClientLogger,
    });
    await producer.startup();
    await consumer.startup();
    try {
      const send = (n: number) => producer.send({ topic, body: Buffer.from(`payment ${n}`) });
      for (let n = 0; n < 5; n++) await send(n);
      // All five in flight (invisible for a minute), then the first three acked: committed 3, in flight 2.
      const received: MessageView[] = [];
      const deadline = Date.now() + 15_000;
      while (received.length < 5 && Date.now() < deadline) received.push(...(await consumer.receive(16, 60_000)));
      expect(received.map((m) => m.offset).sort()).toEqual([0, 1, 2, 3, 4]);
      for (const m of received.filter((m) => (m.offset ?? 0) < 3)) await consumer.ack(m);
      // Two more that nobody received yet: ready 2, max 7.
      for (let n = 5; n < 7; n++) await send(n);

      const lag = await admin([...server(), 'group', 'lag', group]);
      expect(lag).toMatchObject({ code: 0, stderr: '' });
      expect(lag.stdout).toMatch(/^TOPIC +QUEUE +COMMITTED +MAX +READY +INFLIGHT +OLDEST READY\n/);
      expect(lag.stdout).toMatch(new RegExp(`^${topic} +0 +3 +7 +2 +2 +[0-9]+(ms|s)$`, 'm'));
      expect(lag.stdout).toMatch(/^total +2 +2\n$/m);
      const lagJson = JSON.parse((await admin([...server(), 'group', 'lag', group, '--json'])).stdout);
      expect(lagJson).toMatchObject({
        group,
        ready: 2,
        inflight: 2,
        queues: [{ topic, queueId: 0, committedOffset: 3, maxOffset: 7, ready: 2, inflight: 2 }],
      });

      const reset = await admin([...server(), 'group', 'reset', group, '--topic', topic, '--to', 'earliest']);
      expect(reset).toEqual({
        code: 0,
        stdout: `reset group ${group} in topic ${topic} to earliest\n\nQUEUE  OFFSET\n0      0\n`,
        stderr: '',
      });
      // Whatever was in flight is forgotten: all seven are ready again, and the group gets the first one again.
      expect((await admin([...server(), 'group', 'lag', group])).stdout).toMatch(
        new RegExp(`^${topic} +0 +0 +7 +7 +0 +[0-9]+(ms|s)$`, 'm'),
      );
      const again: MessageView[] = [];
      const until = Date.now() + 15_000;
      while (!again.some((m) => m.offset === 0) && Date.now() < until) {
        again.push(...(await consumer.receive(16, 60_000)));
      }
      expect(again.find((m) => m.offset === 0)?.body.toString()).toBe('payment 0');
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }

    const latest = await admin([...server(), 'group', 'reset', group, '--topic', topic, '--to', 'latest']);
    expect(latest.stdout).toMatch(/^0 +7$/m);

    const fifo = await admin([...server(), 'group', 'put', group, '--fifo']);
    expect(fifo).toEqual({
      code: 1,
      stdout: '',
      stderr: `rocketry admin: Conflict: consumer group ${group} is not FIFO; that cannot change (delete and recreate it) (code 40900)\n`,
    });

    expect(await admin([...server(), 'group', 'delete', group])).toEqual({
      code: 0,
      stdout: `deleted group ${group}\n`,
      stderr: '',
    });
    const missing = await admin([...server(), 'group', 'get', group]);
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: `rocketry admin: Not Found: consumer group ${group} does not exist (code 40403)\n`,
    });
    expect((await admin([...server(), 'group', 'list'])).stdout).not.toContain(group);
  }, 120_000);

  it('exits 2 without calling the broker when the group body is one it would refuse', async () => {
    const bad = await admin([...server(), 'group', 'put', `g-${suffix()}`, '--retry-initial-ms', '1500']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^rocketry admin: --retry-initial-ms "1500": must be whole seconds/);
  });

  it('exits 2 with the usage text when --queues is not a positive integer', async () => {
    const bad = await admin([...server(), 'topic', 'put', `t-${suffix()}`, '--type', 'NORMAL', '--queues', 'zero']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('--queues "zero": must be an integer from 1 to 1024');
    expect(bad.stderr).toContain('usage: rocketry admin');
  });

  it("exits 1 with the problem's detail when the topic does not exist", async () => {
    const topic = `missing-${suffix()}`;
    const missing = await admin([...server(), 'topic', 'get', topic]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`rocketry admin: Not Found: topic ${topic} does not exist (code 40402)\n`);
    expect((await admin([...server(), 'topic', 'delete', topic])).code).toBe(1);
  });

  it('takes the server from ROCKETRY_ADMIN_URL', async () => {
    const list = await admin(['topic', 'list', '--json'], { ROCKETRY_ADMIN_URL: broker?.admin ?? '' });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveProperty('topics');
  });
});

describe('rocketry admin without a broker', () => {
  it('names the server it cannot reach and exits 1', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));

    const refused = await admin(['--server', `http://127.0.0.1:${port}`, 'topic', 'list']);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `rocketry admin: cannot reach the broker admin API at http://127.0.0.1:${port} (connection refused)\n`,
    });
  });
});

describe('rocketry admin against a broker with an admin token', () => {
  let broker: Broker | undefined;

  beforeAll(async () => {
    broker = await startBroker(['--admin-token', TOKEN]);
  });
  afterAll(() => stopBroker(broker));

  it('is refused without the token, and served with --token or ROCKETRY_ADMIN_TOKEN', async () => {
    const server = ['--server', broker?.admin ?? ''];
    const refused = await admin([...server, 'topic', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Unauthorized: a valid admin bearer token is required (code 40100)');
    expect(refused.stderr).toContain('pass --token or set ROCKETRY_ADMIN_TOKEN');

    const wrong = await admin([...server, '--token', 'not-the-token', 'topic', 'list']);
    expect(wrong.code).toBe(1);

    expect(await admin([...server, '--token', TOKEN, 'topic', 'list'])).toMatchObject({ code: 0, stderr: '' });
    expect(await admin([...server, 'topic', 'list'], { ROCKETRY_ADMIN_TOKEN: TOKEN })).toMatchObject({
      code: 0,
      stderr: '',
    });
  });
});
