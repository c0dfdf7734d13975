import { randomInt } from 'node:crypto';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GROUP_CONFIG } from '../src/messaging/groups.js';
import { type Finding, GrpcFuzzRun, type PlannedCall, render } from './support/fuzz/fuzz-run.js';
import { loadRocketmqProtos, type ProtoObject } from './support/fuzz/proto-values.js';
import { FuzzTarget, type TopicSpec } from './support/fuzz/targets.js';
import { type GrpcBroker, quietClientLogger, startBroker } from './support/grpc-broker.js';

/*
 * Fuzzes every RPC of apache.rocketmq.v2.MessagingService on two real brokers (one auto-creating topics and groups,
 * one not): well-formed requests with random field values, field-level mutants, requests generated from the schema,
 * and byte-level mutants sent as raw bytes. No call may hang or end with an unexpected gRPC status, no answer may be
 * 50001 (a client mistake is never the broker's internal error), the process sees no unhandled rejection or uncaught
 * exception, and afterwards both brokers still serve the official client.
 *
 * FUZZ_SEED=<n> replays a run (the seed is printed); FUZZ_REQUESTS=<n> changes the number of requests (default 3000).
 */

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const CONCURRENCY = 32;
const WARM_UP = 1_000_000_000; // request indexes of the warm-up, apart from the fuzzed ones

const TOPICS: TopicSpec[] = [
  { name: 'fz-normal', type: 'NORMAL', queues: 4 },
  { name: 'fz-normal1', type: 'NORMAL', queues: 1 },
  { name: 'fz-fifo', type: 'FIFO', queues: 2 },
  { name: 'fz-delay', type: 'DELAY', queues: 1 },
  { name: 'fz-txn', type: 'TRANSACTION', queues: 1 },
  { name: 'fz-mixed', type: 'MIXED', queues: 2 },
];
const GROUPS = ['fz-g1', 'fz-g2', 'fz-g3'];
const FIFO_GROUPS = ['fz-gfifo'];

const brokers: GrpcBroker[] = [];
const problems: { event: string; error: unknown }[] = [];
const onRejection = (error: unknown) => problems.push({ event: 'unhandledRejection', error });
const onException = (error: unknown) => problems.push({ event: 'uncaughtException', error });

beforeAll(() => {
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
});

afterAll(async () => {
  for (const b of brokers.splice(0)) await b.close();
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  expect(problems, 'after the brokers closed').toEqual([]);
});

async function brokerWithFixtures(autoCreate: boolean): Promise<{ broker: GrpcBroker; target: FuzzTarget }> {
  const broker = await startBroker({ autoCreate });
  brokers.push(broker);
  for (const t of TOPICS) await broker.topics.put(t.name, { queues: t.queues, messageType: t.type });
  for (const g of GROUPS) await broker.groups.put(g, DEFAULT_GROUP_CONFIG);
  for (const g of FIFO_GROUPS) await broker.groups.put(g, { ...DEFAULT_GROUP_CONFIG, fifo: true });
  const target = new FuzzTarget(autoCreate ? 'auto' : 'strict', broker.server.port, TOPICS, GROUPS, FIFO_GROUPS);
  return { broker, target };
}

/**
 * Valid sends and receives first, so the fuzzer holds real receipt handles and message ids of both brokers. The groups
 * subscribe as the official simple consumer does (Telemetry settings), so what is sent next is delivered.
 */
async function warmUp(run: GrpcFuzzRun, target: FuzzTarget, offset: number): Promise<void> {
  const deliverable = new Set(TOPICS.filter((t) => t.type === 'NORMAL' || t.type === 'MIXED').map((t) => t.name));
  const subscriptions = [...deliverable].map((name) => ({ topic: { name }, expression: { type: 1, expression: '*' } }));
  const settings = (group: string) => ({
    settings: { client_type: 3, subscription: { group: { name: group }, subscriptions } },
  });
  await Promise.all(GROUPS.map((g) => run.run(run.exact(target, 'Telemetry', [settings(g)]))));
  let index = WARM_UP + offset;
  /** Valid requests of one RPC whose first topic is one of the deliverable ones. */
  const valid = (rpc: string, count: number, topicOf: (request: ProtoObject) => unknown) => {
    const calls: PlannedCall[] = [];
    while (calls.length < count) {
      const call = run.plan(index++, { rpc, target, input: 'valid' });
      if (deliverable.has(topicOf(call.objects[0] ?? {}) as string)) calls.push(call);
    }
    return calls;
  };
  const sends = valid('SendMessage', 40, (r) => (r.messages as { topic: { name: string } }[])[0]?.topic.name);
  await Promise.all(sends.map((c) => run.run(c)));
  for (let round = 0; round < 5 && target.deliveries.length < 30; round++) {
    const receives = valid('ReceiveMessage', 8, (r) => (r.message_queue as { topic: { name: string } }).topic.name);
    await Promise.all(receives.map((c) => run.run(c)));
  }
}

/** Runs `count` calls with `concurrency` in flight. */
async function pool(count: number, concurrency: number, each: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await each(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function report(findings: readonly Finding[]): string {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.category} in ${f.call.rpc}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines = [`seed ${SEED} (FUZZ_SEED=${SEED} reproduces), ${findings.length} findings:`];
  for (const [key, list] of groups) {
    lines.push(`- ${key}: ${list.length}×`);
    for (const f of list.slice(0, 3)) {
      const request =
        f.call.input === 'bytes'
          ? `bytes ${f.call.encoded.map((b) => b.toString('hex').slice(0, 400)).join(' | ')}`
          : render(f.call.objects.length === 1 ? f.call.objects[0] : f.call.objects);
      lines.push(`    #${f.call.index} ${f.call.input} on ${f.call.target.name}: ${f.detail}`);
      lines.push(`      metadata ${JSON.stringify(f.call.plan.metadata)} deadline ${f.call.plan.deadlineMs} ms`);
      lines.push(`      request ${request}`);
    }
  }
  return lines.join('\n');
}

function tallyTable(run: GrpcFuzzRun): string {
  return [...run.tally]
    .map(([rpc, outcomes]) => `${rpc}: ${[...outcomes].map(([o, n]) => `${o}×${n}`).join(' ')}`)
    .join('\n');
}

async function officialClientRoundTrip(endpoint: string, topic: string, group: string): Promise<void> {
  const consumer = new SimpleConsumer({
    endpoints: endpoint,
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    awaitDuration: 1000,
    logger: quietClientLogger,
  });
  const producer = new Producer({ endpoints: endpoint, namespace: '', logger: quietClientLogger, topics: [topic] });
  try {
    await consumer.startup();
    await producer.startup();
    const { messageId } = await producer.send({ topic, body: Buffer.from('after the fuzz'), tag: 'A' });
    const deadline = Date.now() + 10_000;
    let received: Awaited<ReturnType<SimpleConsumer['receive']>>[number] | undefined;
    while (!received && Date.now() < deadline) {
      received = (await consumer.receive(16, 10_000)).find((m) => m.messageId === messageId);
    }
    expect(received?.body.toString()).toBe('after the fuzz');
    await consumer.ack(received as NonNullable<typeof received>);
  } finally {
    await producer.shutdown().catch(() => {});
    await consumer.shutdown().catch(() => {});
  }
}

describe('MessagingService under fuzzed requests', () => {
  it('answers every random and mutated request in time, never with an internal error, and keeps serving', async () => {
    console.log(`grpc fuzz: seed ${SEED}, ${REQUESTS} requests (FUZZ_SEED=${SEED} reproduces)`);
    const t0 = performance.now();
    const auto = await brokerWithFixtures(true);
    const strict = await brokerWithFixtures(false);
    const run = new GrpcFuzzRun(loadRocketmqProtos(), SEED, [
      { target: auto.target, weight: 4 },
      { target: strict.target, weight: 1 },
    ]);
    try {
      await warmUp(run, auto.target, 0);
      await warmUp(run, strict.target, 10_000);
      // The well-formed requests must work, or the fuzz would only exercise the first check of every handler.
      expect(report(run.findings)).toBe(report([]));
      expect(auto.target.deliveries.length).toBeGreaterThan(0);
      expect(strict.target.deliveries.length).toBeGreaterThan(0);

      const started = performance.now();
      console.log(`grpc fuzz: warm-up ${Math.round(started - t0)} ms`);
      await pool(REQUESTS, CONCURRENCY, (i) => run.run(run.plan(i)).then(() => {}));
      console.log(
        `grpc fuzz: ${REQUESTS} requests in ${Math.round(performance.now() - started)} ms\n${tallyTable(run)}`,
      );
      expect(new Set(run.tally.keys())).toEqual(new Set(run.rpcs));
      expect(report(run.findings)).toBe(report([]));
    } finally {
      run.close();
    }

    await officialClientRoundTrip(auto.broker.endpoint, `after-fuzz-${SEED}`, `g-after-${SEED}`);
    await strict.broker.groups.put('g-after', DEFAULT_GROUP_CONFIG);
    await officialClientRoundTrip(strict.broker.endpoint, 'fz-normal1', 'g-after');
    console.log(`grpc fuzz: all done ${Math.round(performance.now() - t0)} ms`);
    expect(problems).toEqual([]);
  }, 120_000); // about 30 s; the margin is for machines busy with other test files
});
