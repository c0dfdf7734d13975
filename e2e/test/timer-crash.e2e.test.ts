import { type RocketryProcess, startRocketry, type TempDir, tempDir } from '@rocketry/testkit';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Issue 4 acceptance, "timers across a restart": messages due over the next `SPAN_MS`, the broker killed with SIGKILL
 * halfway and restarted; every message is delivered (a duplicate is counted and must be rare, a loss fails), none more
 * than 2 s late after the broker is back. 10,000 over 60 s with ROCKETRY_TEST_LONG=1; 2,000 over 15 s otherwise.
 */
const LONG = process.env.ROCKETRY_TEST_LONG === '1';
const COUNT = LONG ? 10_000 : 2000;
const SPAN_MS = LONG ? 60_000 : 15_000;
/** The first message is due this long after the sends start (they take a moment). */
const LEAD_MS = 5000;
const MAX_LATE_MS = 2000;

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
      ...['--data-dir', dataDir, '--auto-create'],
      ...['--grpc-host', '127.0.0.1', '--grpc-port', '0', '--admin-host', '127.0.0.1', '--admin-port', '0'],
      ...['--segment-mib', '16', '--log-level', 'info'],
    ],
    /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
  );
  processes.push(p);
  return { process: p, grpc: p.ready[1] as string };
}

interface Delivery {
  readonly seq: number;
  readonly dueAt: number;
  readonly at: number;
}

/** Receives and acks until `stop()` is called; returns every delivery (duplicates included). */
function consume(endpoint: string, group: string, topic: string) {
  const deliveries: Delivery[] = [];
  let stopping = false;
  const consumer = new SimpleConsumer({
    endpoints: endpoint,
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    awaitDuration: 1000,
    logger: silentClientLogger,
  });
  const started = consumer.startup();
  const loop = (async () => {
    await started;
    while (!stopping) {
      const batch = await consumer.receive(32, 30_000);
      const at = Date.now();
      for (const m of batch) {
        deliveries.push({ seq: Number(m.properties.get('seq')), dueAt: m.deliveryTimestamp?.getTime() ?? 0, at });
      }
      await Promise.all(batch.map((m) => consumer.ack(m)));
    }
  })();
  return {
    started,
    deliveries,
    async stop() {
      stopping = true;
      await loop;
      await consumer.shutdown();
    },
  };
}

describe('timers across a broker crash (kill -9)', () => {
  it(`delivers ${COUNT} messages due over ${SPAN_MS / 1000} s across a SIGKILL halfway: none lost, duplicates rare, none more than 2 s late once the broker is back`, async () => {
    dir = await tempDir('rocketry-timer-crash-');
    const topic = 'timer-crash-delay';
    const group = 'timer-crash-group';
    const first = await startBroker(dir.path);
    const before = consume(first.grpc, group, topic);
    await before.started;
    const producer = new Producer({
      endpoints: first.grpc,
      namespace: '',
      logger: silentClientLogger,
      topics: [topic],
    });
    await producer.startup();
    clients.push(producer);

    const start = Date.now() + LEAD_MS;
    const dueOf = (seq: number) => start + Math.floor((seq * SPAN_MS) / COUNT);
    /** When each send was answered: on a loaded machine a message can be due before it was even sent. */
    const sentAt = new Float64Array(COUNT);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let seq = next++; seq < COUNT; seq = next++) {
          await producer.send({
            topic,
            body: Buffer.from(`timer ${seq}`),
            deliveryTimestamp: new Date(dueOf(seq)),
            properties: new Map([['seq', String(seq)]]),
          });
          sentAt[seq] = Date.now();
        }
      }),
    );

    // Kill halfway through the span. The clients leave first: the official client raises unhandled stream errors
    // when its broker vanishes under it.
    await new Promise((resolve) => setTimeout(resolve, start + SPAN_MS / 2 - Date.now()));
    await before.stop();
    for (const c of clients.splice(0)) await c.shutdown();
    await first.process.stop('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a second of messages falls due while it is down

    const second = await startBroker(dir.path);
    const backAt = Date.now();
    const after = consume(second.grpc, group, topic);
    await after.started;
    const deadline = start + SPAN_MS + 10_000;
    const seen = () => new Set([...before.deliveries, ...after.deliveries].map((d) => d.seq)).size;
    while (seen() < COUNT && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // late duplicates, if any, show up now
    await after.stop();

    const all = [...before.deliveries, ...after.deliveries];
    const counts = new Map<number, number>();
    for (const d of all) counts.set(d.seq, (counts.get(d.seq) ?? 0) + 1);
    const missing = Array.from({ length: COUNT }, (_, seq) => seq).filter((seq) => !counts.has(seq));
    const duplicates = all.length - counts.size;
    // Late counts from when it could first be delivered: its time, its send, or the broker's return.
    const lateness = (d: Delivery) => d.at - Math.max(d.dueAt, sentAt[d.seq] as number, d.at >= backAt ? backAt : 0);
    const late = all.filter((d) => lateness(d) > MAX_LATE_MS);
    const early = all.filter((d) => d.at < d.dueAt - 500);
    const worstLateMs = Math.max(...all.map(lateness));
    console.log(
      `timer crash: ${COUNT} due over ${SPAN_MS} ms, killed at +${killedAt - start} ms, back after ${backAt - killedAt} ms; ` +
        `delivered ${counts.size}, duplicates ${duplicates}, worst lateness ${worstLateMs} ms`,
    );
    expect(missing, `${missing.length} lost`).toEqual([]);
    expect(
      all.every((d) => d.dueAt === dueOf(d.seq)),
      'delivery_timestamp echoed',
    ).toBe(true);
    expect(early, 'delivered before their time').toEqual([]);
    expect(late.length, `late: ${JSON.stringify(late.slice(0, 5))}`).toBe(0);
    expect(duplicates).toBeLessThanOrEqual(Math.ceil(COUNT / 100));
  }, 180_000);
});
