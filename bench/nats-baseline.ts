import { randomBytes } from 'node:crypto';
import { AckPolicy, connect, createInbox, DeliverPolicy, type NatsConnection, StorageType } from 'nats';
import type { BaselineRound } from './baseline.js';
import { closedLoop, DrainCounter, type DrainResult, type PacedTarget, pacedLatency } from './load-harness.js';

/**
 * NATS JetStream, the async baseline: a file-storage stream with one replica (the server's default: it acks after its
 * page cache and fsyncs every two minutes). Used at the protocol level through the official client's core connection,
 * as the gRPC generator uses Rocketry's protos: publishes carry a reply inbox and are pipelined with a window in
 * flight (what `PublishAsync` does in the Go client; nats.js `js.publish()` sets up a request per message and costs
 * about ten times the client CPU), every PubAck is checked; consumers are push consumers delivering to a core
 * subscription, acking cumulatively (AckPolicy.All, every `ackEvery` messages: its form of batched acks).
 */

export interface NatsOptions {
  readonly url: string;
  readonly body: Buffer;
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly consumeCapMs: number;
  readonly ackEvery: number;
  readonly latency: { ratePerSec: number; warmupMs: number; durationMs: number; graceMs: number; tickMs: number };
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
    const publisher = new AckedPublisher(nc);
    const subject = `bench.${id}.backlog`;
    const publish = await closedLoop(options.window, options, () => publisher.publish(subject, options.body));
    const consume = await drain(nc, stream, subject, publish.totalMessages, options);
    const latency = await pacedLatency(latencyTarget(nc, publisher, stream, `bench.${id}.latency`), {
      ...options.latency,
      bodyBytes: options.body.length,
    });
    return { publish, consume, latency };
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
}

/** JetStream publishes with a reply inbox each; resolves on the PubAck, rejects on an error reply. */
class AckedPublisher {
  private readonly prefix = `${createInbox()}.`;
  private readonly pending = new Map<number, (error: string | undefined) => void>();
  private readonly decoder = new TextDecoder();
  private seq = 0;

  constructor(private readonly nc: NatsConnection) {
    nc.subscribe(`${this.prefix}*`, {
      callback: (_err, m) => {
        const seq = Number(m.subject.slice(this.prefix.length));
        const settle = this.pending.get(seq);
        this.pending.delete(seq);
        const reply = this.decoder.decode(m.data);
        settle?.(reply.includes('"error"') || m.headers?.hasError ? reply : undefined);
      },
    });
  }

  publish(subject: string, body: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      const seq = this.seq++;
      this.pending.set(seq, (error) => (error ? reject(new Error(`JetStream publish failed: ${error}`)) : resolve(1)));
      this.nc.publish(subject, body, { reply: `${this.prefix}${seq}` });
    });
  }
}

async function drain(
  nc: NatsConnection,
  stream: string,
  subject: string,
  expected: number,
  options: NatsOptions,
): Promise<DrainResult> {
  const counter = new DrainCounter(expected, options.consumeCapMs);
  const inbox = createInbox();
  let seen = 0;
  let unacked = 0;
  const subscription = nc.subscribe(inbox, {
    callback: (_err, m) => {
      if (counter.finished || !m.reply) return;
      seen++;
      unacked++;
      if (unacked === options.ackEvery || seen === expected) {
        nc.publish(m.reply);
        counter.add(unacked);
        unacked = 0;
      }
    },
  });
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(stream, {
    durable_name: 'backlog',
    deliver_subject: inbox,
    filter_subject: subject,
    ack_policy: AckPolicy.All,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: 10_000,
  });
  await counter.done;
  subscription.unsubscribe();
  await jsm.consumers.delete(stream, 'backlog');
  return counter.result();
}

function latencyTarget(nc: NatsConnection, publisher: AckedPublisher, stream: string, subject: string): PacedTarget {
  let errors = 0;
  let stopConsumer: () => Promise<void> = async () => {};
  return {
    get errors() {
      return errors;
    },
    async start(onReceive) {
      const inbox = createInbox();
      const subscription = nc.subscribe(inbox, {
        callback: (_err, m) => {
          if (!m.reply) return;
          onReceive(m.data);
          nc.publish(m.reply);
        },
      });
      const jsm = await nc.jetstreamManager();
      await jsm.consumers.add(stream, {
        durable_name: 'latency',
        deliver_subject: inbox,
        filter_subject: subject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
      });
      stopConsumer = async () => {
        subscription.unsubscribe();
        await jsm.consumers.delete(stream, 'latency');
      };
    },
    publish(bodies) {
      for (const body of bodies) {
        publisher.publish(subject, body).catch(() => {
          errors++;
        });
      }
    },
    stop: () => stopConsumer(),
  };
}
