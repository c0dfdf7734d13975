import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { Http2GrpcClient, methodOf } from './grpc-h2.js';
import {
  isNotImplemented,
  isSuccess,
  MessageIds,
  MessagingClient,
  normalMessage,
  type ReceivedMessage,
  type SendResponse,
  StatusError,
  simpleConsumerSettings,
  type WireStatus,
} from './grpc-wire.js';
import { DrainCounter, type DrainResult, type PacedTarget } from './load-harness.js';

/**
 * Pop consumption over the raw protos, as a simple consumer does it: a subscription announced on Telemetry (grpc-js),
 * then `receivers` concurrent ReceiveMessage long polls of `batch` messages, each batch acked with one AckMessage
 * (both on raw HTTP/2, see grpc-h2.ts, over `connections` sessions).
 */

export interface PopOptions {
  readonly endpoint: string;
  readonly topic: string;
  readonly group: string;
  readonly connections: number;
  readonly receivers: number;
  readonly batch: number;
  readonly invisibleMs: number;
  readonly pollMs: number;
}

/** The broker answered NOT_IMPLEMENTED: the suite prints "n/a" for what needs consumption. */
export class ConsumptionUnavailable extends Error {}

interface ReceiveFrame {
  status?: WireStatus;
  message?: ReceivedMessage;
}

const DEADLINE_SLACK_MS = 3000;

export class PopConsumer {
  private stopped = false;
  private readonly receiveMethod: MethodDefinition<unknown, unknown>;
  private readonly ackMethod: MethodDefinition<unknown, unknown>;

  private constructor(
    private readonly options: PopOptions,
    service: ServiceDefinition,
    private readonly setup: MessagingClient,
    private readonly clients: Http2GrpcClient[],
    private readonly endTelemetry: () => void,
    private readonly queue: unknown,
  ) {
    this.receiveMethod = methodOf(service, 'ReceiveMessage');
    this.ackMethod = methodOf(service, 'AckMessage');
  }

  /** Subscribes the group where the topic ends now (before anything is published), on its own connections. */
  static async open(options: PopOptions, service: ServiceDefinition): Promise<PopConsumer> {
    const setup = new MessagingClient(options.endpoint, service);
    try {
      const route = await setup.unary<{ status?: WireStatus; message_queues?: unknown[] }>('QueryRoute', {
        topic: { name: options.topic },
        endpoints: { scheme: 'IPv4', addresses: [] },
      });
      if (!isSuccess(route.status)) throw new StatusError('QueryRoute', route.status);
      const { reply, end } = await setup.telemetry(
        simpleConsumerSettings(options.endpoint, options.group, options.topic),
      );
      if (isNotImplemented(reply.status)) throw new ConsumptionUnavailable('Telemetry answered NOT_IMPLEMENTED');
      if (!isSuccess(reply.status)) throw new StatusError('Telemetry', reply.status);
      const clients = Array.from(
        { length: options.connections },
        () => new Http2GrpcClient(options.endpoint, setup.clientId),
      );
      return new PopConsumer(options, service, setup, clients, end, route.message_queues?.[0]);
    } catch (err) {
      setup.close();
      throw err;
    }
  }

  /**
   * One long poll of `batch` messages for receiver `r`; [] when it ended empty or the consumer stopped.
   * ConsumptionUnavailable when the broker has no ReceiveMessage yet.
   */
  async receive(r: number, pollMs = this.options.pollMs): Promise<ReceivedMessage[]> {
    if (this.stopped) return [];
    const client = this.clients[r % this.clients.length] as Http2GrpcClient;
    const request = {
      group: { name: this.options.group },
      message_queue: this.queue,
      filter_expression: { type: 'TAG', expression: '*' },
      batch_size: this.options.batch,
      invisible_duration: durationOf(this.options.invisibleMs),
      auto_renew: false,
      long_polling_timeout: durationOf(pollMs),
    };
    let frames: ReceiveFrame[];
    try {
      frames = await client.serverStream<ReceiveFrame>(this.receiveMethod, request, pollMs + DEADLINE_SLACK_MS);
    } catch (err) {
      if (this.stopped) return [];
      throw err;
    }
    // The last status frame wins (PROTOCOL.md §5); MESSAGE_NOT_FOUND is an empty success.
    const status = frames.findLast((f) => f.status)?.status;
    if (isNotImplemented(status)) throw new ConsumptionUnavailable('ReceiveMessage answered NOT_IMPLEMENTED');
    if (!isSuccess(status)) throw new StatusError('ReceiveMessage', status);
    return frames.flatMap((f) => (f.message ? [f.message] : []));
  }

  /** Acks a whole batch with one AckMessage; every entry must succeed. */
  async ack(r: number, messages: readonly ReceivedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const client = this.clients[r % this.clients.length] as Http2GrpcClient;
    const response = await client.unary<{ status?: WireStatus }>(this.ackMethod, {
      group: { name: this.options.group },
      topic: { name: this.options.topic },
      entries: messages.map((m) => ({
        message_id: m.system_properties?.message_id ?? '',
        receipt_handle: m.system_properties?.receipt_handle ?? '',
      })),
    });
    if (isNotImplemented(response.status)) throw new ConsumptionUnavailable('AckMessage answered NOT_IMPLEMENTED');
    if (!isSuccess(response.status)) throw new StatusError('AckMessage', response.status);
  }

  /**
   * Every receiver polls, hands each batch to `onBatch` and acks it while polling again (one ack in flight per
   * receiver); counts a batch once its ack succeeded. Runs until `stop()`; rejects on the first failure.
   */
  run(onBatch: (messages: ReceivedMessage[]) => void, onAcked: (count: number) => void): Promise<void> {
    const receiver = async (r: number) => {
      let acking: Promise<void> = Promise.resolve();
      while (!this.stopped) {
        const messages = await this.receive(r);
        if (messages.length === 0) continue;
        onBatch(messages);
        await acking;
        acking = this.ack(r, messages).then(() => onAcked(messages.length));
      }
      await acking;
    };
    const all = Promise.all(Array.from({ length: this.options.receivers }, (_, r) => receiver(r)));
    // A failure stops the other receivers too, so the caller never waits on a long poll that has lost its purpose.
    return all.then(
      () => undefined,
      (err: unknown) => {
        this.stop();
        throw err;
      },
    );
  }

  /** Ends the polls in flight (they may hold messages the broker made invisible; nobody acks those). */
  stop(): void {
    this.stopped = true;
    for (const client of this.clients) client.cancelAll();
  }

  close(): void {
    this.stop();
    this.endTelemetry();
    for (const c of this.clients) c.close();
    this.setup.close();
  }
}

function durationOf(ms: number) {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

/** (c): receives and acks the backlog until `expected` messages are acked or `capMs` passes. */
export async function drainBacklog(consumer: PopConsumer, expected: number, capMs: number): Promise<DrainResult> {
  const counter = new DrainCounter(expected, capMs);
  const running = consumer.run(
    () => {},
    (count) => counter.add(count),
  );
  await Promise.race([counter.done, running]);
  consumer.stop();
  await running;
  return counter.result();
}

/** (d): a fixed-rate publisher (due messages go out together, 32 at most per SendMessage) and a pop consumer. */
export function popLatencyTarget(
  consumer: PopConsumer,
  publisher: Http2GrpcClient,
  send: MethodDefinition<unknown, unknown>,
  topic: string,
): PacedTarget {
  const ids = new MessageIds();
  let errors = 0;
  let running: Promise<void> = Promise.resolve();
  let failure: unknown;
  let lastError: unknown;
  return {
    get errors() {
      return errors;
    },
    get firstError() {
      return lastError;
    },
    async start(onReceive) {
      running = consumer
        .run(
          (messages) => {
            for (const m of messages) if (m.body) onReceive(m.body);
          },
          () => {},
        )
        .catch((err: unknown) => {
          failure = err;
        });
    },
    publish(bodies) {
      for (let at = 0; at < bodies.length; at += 32) {
        const messages = bodies.slice(at, at + 32).map((body) => normalMessage(topic, ids.next(), body));
        publisher.unary<SendResponse>(send, { messages }).then(
          (response) => {
            if (isSuccess(response.status)) return;
            errors += messages.length;
            lastError ??= new StatusError('SendMessage', response.status);
          },
          (err: unknown) => {
            errors += messages.length;
            lastError ??= err;
          },
        );
      }
    },
    async stop() {
      consumer.stop();
      await running;
      if (failure !== undefined) throw failure;
    },
  };
}
