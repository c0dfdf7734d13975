import { randomBytes } from 'node:crypto';
import {
  ConsumeResult,
  type MessageView,
  type Producer,
  PushConsumer,
  type SimpleConsumer,
} from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { defaultMessageLimits } from '../../src/storage/message-limits.js';
import { type ConsumptionTuning, type GrpcBroker, quietClientLogger, startBroker } from '../support/grpc-broker.js';
import { OfficialClients } from '../support/official-clients.js';

/**
 * Shared parts of the SCENARIOS.md tests (../../../../shared/SCENARIOS.md): a broker with production message limits,
 * the official client's producer and consumers, and the scenario conventions. Every message carries `cf-run` (this
 * run), `cf-scn` (scenario id) and `cf-seq`; consumers ignore and ack whatever is not their own, and every consumer
 * is started before anything is sent. Each scenario owns its topics and groups, so the tests of a file run
 * concurrently against the file's broker, each with its own clients (`clientsOf`).
 */

/** Scenario timings, shortened from the defaults (AWAIT 5 s, INV 10 s) where the pass criteria allow it. */
export const AWAIT_MS = 2000;
export const INV_MS = 3000;
/** The official client's default request timeout. */
export const REQUEST_TIMEOUT_MS = 3000;

export const RUN = `run-${randomBytes(4).toString('hex')}`;
const suffix = () => randomBytes(3).toString('hex');

/** Topic names end in their type (`…normal`, `…fifo`). */
export const topicName = (scn: string, type = 'normal') => `cf-${scn}-${suffix()}-${type}`;
export const groupName = (scn: string) => `cf-${scn}-${suffix()}`;

export function scenarioProperties(scn: string, seq: number, extra: Record<string, string> = {}): Map<string, string> {
  return new Map([['cf-run', RUN], ['cf-scn', scn], ['cf-seq', String(seq)], ...Object.entries(extra)]);
}

/** The sequence number of one of this run's messages of `scn`; undefined for anything else. */
export function seqOf(m: MessageView, scn: string): number | undefined {
  if (m.properties.get('cf-run') !== RUN || m.properties.get('cf-scn') !== scn) return undefined;
  return Number(m.properties.get('cf-seq'));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function until(condition: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Milliseconds an async call took, with its outcome. */
export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

/** The promise's value, or `'timed out'` when it has not settled within `ms` (a hang fails the test, not the run). */
export function within<T>(ms: number, promise: Promise<T>): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The numeric codes of an error and its causes (the client wraps start-up failures). */
export function codesInCauseChain(err: unknown): number[] {
  const codes: number[] = [];
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') codes.push(code);
  }
  return codes;
}

/**
 * A broker in-process on 127.0.0.1:0 over a temp dir, like `startBroker` but with the production message limits
 * (body up to 4,128,768 bytes), so large-body scenarios run against what `rocketry broker` enforces.
 */
/** The file's broker: started before its tests, closed after them. Call at the top level of a test file. */
export function fileBroker(options: Parameters<typeof startScenarioBroker>[0] = {}): () => GrpcBroker {
  let broker: GrpcBroker | undefined;
  beforeAll(async () => {
    broker = await startScenarioBroker(options);
  });
  afterAll(() => broker?.close());
  return () => broker as GrpcBroker;
}

export function startScenarioBroker(
  options: { autoCreate?: boolean; settingsRepeatMs?: number } & ConsumptionTuning = {},
): Promise<GrpcBroker> {
  return startBroker({
    autoCreate: options.autoCreate ?? true,
    ...options,
    store: { segmentBytes: 16 << 20, maxPendingBytes: 16 << 20, limits: defaultMessageLimits },
  });
}

type Listener = (m: MessageView) => ConsumeResult | Promise<ConsumeResult>;

/** A push consumer and the topic whose messages wake its pending long poll at shutdown (`shutdownPush`). */
interface PushEntry {
  readonly consumer: PushConsumer;
  readonly topic: string;
}

/** The official clients of one test, all shut down by `shutdownAll`; push consumers see only their scenario. */
export class ScenarioClients extends OfficialClients {
  private readonly pushes: PushEntry[] = [];
  private waker: Producer | undefined;

  constructor(endpoint: () => string) {
    super(endpoint, AWAIT_MS);
  }

  /**
   * A started push consumer of every message (`*`) of one topic; its listener sees only this run's messages of `scn`,
   * anything else is acked unseen.
   */
  async push(group: string, topic: string, scn: string, listener: Listener): Promise<PushConsumer> {
    const consumer = this.newPush(group, topic, scn, listener);
    await consumer.startup();
    return consumer;
  }

  newPush(group: string, topic: string, scn: string, listener: Listener): PushConsumer {
    const consumer = new PushConsumer({
      endpoints: this.endpoint(),
      namespace: '',
      consumerGroup: group,
      subscriptions: new Map([[topic, '*']]),
      logger: quietClientLogger,
      messageListener: {
        consume: (m: MessageView) => (seqOf(m, scn) === undefined ? ConsumeResult.SUCCESS : listener(m)),
      },
    });
    this.pushes.push({ consumer, topic });
    return consumer;
  }

  /**
   * Shuts a push consumer down. Its shutdown waits for the pending long poll (up to the broker's 20 s); a foreign
   * message sent now and then ends that poll early, and the listener acks it unseen.
   */
  async shutdownPush(consumer: PushConsumer): Promise<void> {
    const entry = this.pushes.find((p) => p.consumer === consumer);
    if (!entry) throw new Error('not one of these push consumers');
    this.pushes.splice(this.pushes.indexOf(entry), 1);
    if (!consumer.isRunning()) return;
    let done = false;
    const shutdown = consumer.shutdown().finally(() => {
      done = true;
    });
    this.waker ??= this.newProducer();
    if (!this.waker.isRunning()) await this.waker.startup();
    for (let n = 0; !done && n < 100; n++) {
      await this.waker
        .send({
          topic: entry.topic,
          body: Buffer.from('wake'),
          properties: new Map([['cf-scn', 'shutdown']]),
          // A FIFO topic takes only messages of a group (topic names end in their type).
          ...(entry.topic.endsWith('-fifo') && { messageGroup: 'shutdown' }),
        })
        .catch(() => {});
      await Promise.race([shutdown.catch(() => {}), sleep(300)]);
    }
    await shutdown;
  }

  override async shutdownAll(): Promise<void> {
    await Promise.all(this.pushes.map((p) => this.shutdownPush(p.consumer).catch(() => {})));
    this.waker = undefined;
    await super.shutdownAll();
  }
}

/**
 * Clients for one test, shut down when the test finishes, followed by `after` (e.g. closing a broker of its own).
 * Tests take `onTestFinished` from their context because a file's tests run concurrently.
 */
export function clientsOf(
  ctx: Pick<TestContext, 'onTestFinished'>,
  endpoint: () => string,
  after?: () => Promise<void>,
): ScenarioClients {
  const clients = new ScenarioClients(endpoint);
  ctx.onTestFinished(async () => {
    await clients.shutdownAll();
    await after?.();
  });
  return clients;
}

/** One receive: foreign messages are acked and dropped; own ones are returned unacked. */
export async function receiveOwn(
  consumer: SimpleConsumer,
  scn: string,
  options: { max?: number; invisibleMs?: number; onBatch?: (size: number) => void } = {},
): Promise<MessageView[]> {
  const batch = await consumer.receive(options.max ?? 32, options.invisibleMs ?? INV_MS);
  options.onBatch?.(batch.length);
  const own = batch.filter((m) => seqOf(m, scn) !== undefined);
  await Promise.all(batch.filter((m) => seqOf(m, scn) === undefined).map((m) => consumer.ack(m).catch(() => {})));
  return own;
}

/**
 * Receives until `count` own messages arrived (or `timeoutMs` passed), acking each one unless `ack` is false.
 * Returns every own delivery in arrival order, duplicates included.
 */
export async function receiveCount(
  consumer: SimpleConsumer,
  scn: string,
  count: number,
  options: {
    timeoutMs?: number;
    ack?: boolean;
    max?: number;
    invisibleMs?: number;
    onBatch?: (n: number) => void;
  } = {},
): Promise<MessageView[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const got: MessageView[] = [];
  while (got.length < count && Date.now() < deadline) {
    const own = await receiveOwn(consumer, scn, options);
    got.push(...own);
    if (options.ack !== false) await Promise.all(own.map((m) => consumer.ack(m)));
  }
  return got;
}

/** Polls for `ms` and returns the own messages that arrived meanwhile (acked unless `ack` is false). */
export async function receiveFor(
  consumer: SimpleConsumer,
  scn: string,
  ms: number,
  options: { ack?: boolean; invisibleMs?: number } = {},
): Promise<MessageView[]> {
  const deadline = Date.now() + ms;
  const got: MessageView[] = [];
  while (Date.now() < deadline) {
    for (const m of await receiveOwn(consumer, scn, options)) {
      got.push(m);
      if (options.ack !== false) await consumer.ack(m);
    }
  }
  return got;
}
