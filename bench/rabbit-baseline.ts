import { randomBytes } from 'node:crypto';
import { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, connect } from 'amqplib';
import type { BaselineRound } from './baseline.js';
import { closedLoop, DrainCounter, type DrainResult, type PacedTarget, pacedLatency } from './load-harness.js';

/**
 * RabbitMQ, the sync baseline: a quorum queue (Raft log fsynced before a publisher confirm), persistent messages
 * published on a confirm channel with a window of unconfirmed messages, consumers with a prefetch acking cumulatively
 * every `ackEvery` messages (`multiple`: its form of batched acks), and the fixed-rate latency. TCP_NODELAY is on.
 */

export interface RabbitOptions {
  readonly url: string;
  readonly body: Buffer;
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly consumeCapMs: number;
  readonly ackEvery: number;
  readonly prefetch: number;
  readonly latency: { ratePerSec: number; warmupMs: number; durationMs: number; graceMs: number; tickMs: number };
}

const open = (url: string) => connect(url, { noDelay: true, timeout: 2000 });

/** The URL without its user and password, for what the bench prints and writes. */
export const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//');

export async function rabbitUnavailable(url: string): Promise<string | undefined> {
  try {
    await (await open(url)).close();
    return undefined;
  } catch (err) {
    return `RabbitMQ at ${redactUrl(url)} unreachable: ${(err as Error).message}`;
  }
}

export async function rabbitRound(options: RabbitOptions): Promise<BaselineRound> {
  const publisher = await open(options.url);
  const consumer = await open(options.url);
  const id = randomBytes(4).toString('hex');
  const backlog = `bench.${id}.backlog`;
  const latencyQueue = `bench.${id}.latency`;
  const admin = await publisher.createChannel();
  for (const queue of [backlog, latencyQueue]) {
    await admin.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  }
  try {
    const confirms = await publisher.createConfirmChannel();
    const publish = await closedLoop(options.window, options, () => confirmed(confirms, backlog, options.body));
    const consume = await drain(consumer, backlog, publish.totalMessages, options);
    const latency = await pacedLatency(latencyTarget(confirms, consumer, latencyQueue, options.prefetch), {
      ...options.latency,
      bodyBytes: options.body.length,
    });
    await confirms.close();
    return { publish, consume, latency };
  } finally {
    for (const queue of [backlog, latencyQueue]) await admin.deleteQueue(queue).catch(() => undefined);
    await publisher.close().catch(() => undefined);
    await consumer.close().catch(() => undefined);
  }
}

function confirmed(channel: ConfirmChannel, queue: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    channel.sendToQueue(queue, body, { persistent: true }, (err) => (err ? reject(err) : resolve(1)));
  });
}

async function drain(connection: ChannelModel, queue: string, expected: number, options: RabbitOptions) {
  const channel = await connection.createChannel();
  await channel.prefetch(options.prefetch);
  const counter = new DrainCounter(expected, options.consumeCapMs);
  let seen = 0;
  let unacked = 0;
  const { consumerTag } = await channel.consume(queue, (message) => {
    if (!message || counter.finished) return;
    seen++;
    unacked++;
    if (unacked === options.ackEvery || seen === expected) {
      channel.ack(message, true);
      counter.add(unacked);
      unacked = 0;
    }
  });
  await counter.done;
  await channel.cancel(consumerTag);
  await channel.close();
  return counter.result() satisfies DrainResult;
}

function latencyTarget(confirms: ConfirmChannel, connection: ChannelModel, queue: string, prefetch: number) {
  let errors = 0;
  let channel: Channel | undefined;
  const target: PacedTarget = {
    get errors() {
      return errors;
    },
    async start(onReceive) {
      channel = await connection.createChannel();
      await channel.prefetch(prefetch);
      const consuming = channel;
      await consuming.consume(queue, (message: ConsumeMessage | null) => {
        if (!message) return;
        onReceive(message.content);
        consuming.ack(message);
      });
    },
    publish(bodies) {
      for (const body of bodies) {
        confirms.sendToQueue(queue, body, { persistent: true }, (err) => {
          if (err) errors++;
        });
      }
    },
    async stop() {
      await channel?.close();
    },
  };
  return target;
}
