import { randomBytes } from 'node:crypto';
import { AckPolicy, connect, DeliverPolicy, type JetStreamClient, type NatsConnection, StorageType } from 'nats';
import type { BaselineRound } from './baseline.js';
import {
  type ClosedLoopResult,
  closedLoop,
  DrainCounter,
  type DrainResult,
  type PacedTarget,
  pacedLatency,
} from './load-harness.js';

/**
 * NATS JetStream, the async baseline: a file-storage stream with one replica (the server's default: it acks after
 * its page cache and fsyncs every two minutes), acked publishes with a window in flight, a durable pull consumer
 * acking cumulatively (AckPolicy.All, every `ackEvery` messages: its form of batched acks), and the fixed-rate latency.
 */

export interface NatsOptions {
  readonly url: string;
  readonly body: Buffer;
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly consumeCapMs: number;
  readonly ackEvery: number;
  readonly latency: { ratePerSec: number; warmupMs: number; durationMs: number; graceMs: number };
}

/** Why NATS cannot serve as a baseline here, or undefined when it can. */
export async function natsUnavailable(url: string): Promise<string | undefined> {
  try {
    const nc = await connect({ servers: url, timeout: 2000, reconnect: false });
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
    } finally {
      await nc.close();
    }
    return undefined;
  } catch (err) {
    return `NATS JetStream at ${url} unreachable: ${(err as Error).message}`;
  }
}

export async function natsRound(options: NatsOptions): Promise<BaselineRound> {
  const nc = await connect({ servers: options.url, timeout: 2000, reconnect: false });
  const jsm = await nc.jetstreamManager();
  const id = randomBytes(4).toString('hex');
  const stream = `BENCH_${id}`;
  await jsm.streams.add({ name: stream, subjects: [`bench.${id}.>`], storage: StorageType.File, num_replicas: 1 });
  try {
    const js = nc.jetstream();
    const subject = `bench.${id}.backlog`;
    const publish = await closedLoop(options.window, options, async () => {
      await js.publish(subject, options.body);
      return 1;
    });
    const consume = await drain(nc, js, stream, subject, publish, options);
    const latency = await pacedLatency(latencyTarget(nc, js, stream, `bench.${id}.latency`), {
      ...options.latency,
      bodyBytes: options.body.length,
    });
    return { publish, consume, latency };
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
}

async function drain(
  nc: NatsConnection,
  js: JetStreamClient,
  stream: string,
  subject: string,
  published: ClosedLoopResult,
  options: NatsOptions,
): Promise<DrainResult> {
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(stream, {
    durable_name: 'backlog',
    filter_subject: subject,
    ack_policy: AckPolicy.All,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: 10_000,
  });
  const consumer = await js.consumers.get(stream, 'backlog');
  const counter = new DrainCounter(published.totalMessages, options.consumeCapMs);
  const messages = await consumer.consume({ max_messages: 1000 });
  let seen = 0;
  let unacked = 0;
  const reading = (async () => {
    for await (const m of messages) {
      seen++;
      unacked++;
      if (unacked === options.ackEvery || seen === counter.expected) {
        m.ack();
        counter.add(unacked);
        unacked = 0;
      }
      if (counter.finished) break;
    }
  })();
  await counter.done;
  messages.stop();
  await reading;
  return counter.result();
}

function latencyTarget(nc: NatsConnection, js: JetStreamClient, stream: string, subject: string): PacedTarget {
  let errors = 0;
  let reading: Promise<void> = Promise.resolve();
  let stopMessages: () => void = () => {};
  return {
    get errors() {
      return errors;
    },
    async start(onReceive) {
      const jsm = await nc.jetstreamManager();
      await jsm.consumers.add(stream, {
        durable_name: 'latency',
        filter_subject: subject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
      });
      const messages = await (await js.consumers.get(stream, 'latency')).consume({ max_messages: 256 });
      stopMessages = () => messages.stop();
      reading = (async () => {
        for await (const m of messages) {
          onReceive(m.data);
          m.ack();
        }
      })();
    },
    publish(bodies) {
      for (const body of bodies) {
        js.publish(subject, body).catch(() => {
          errors++;
        });
      }
    },
    async stop() {
      stopMessages();
      await reading;
    },
  };
}
