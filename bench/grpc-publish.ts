import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { Producer } from 'rocketmq-client-nodejs';
import { Http2GrpcClient, methodOf } from './grpc-h2.js';
import {
  isSuccess,
  loadMessagingService,
  MessageIds,
  MessagingClient,
  newClientId,
  normalMessage,
  type SendResponse,
  StatusError,
} from './grpc-wire.js';
import { type ClosedLoopResult, closedLoop, type Window } from './load-harness.js';

/** Publishing loads against a gRPC endpoint: the official producer, and the raw batch generator. */

const ID_DIGITS = 18;
const GROUP_DIGITS = 6;

/**
 * A `SendMessageRequest` of `count` messages encoded once; each `next()` is a copy with fresh message ids written over
 * the old ones in place (ids have a fixed width), so every message the broker stores is distinct while the generator
 * spends its CPU on the wire instead of on re-encoding identical bodies.
 */
export class BatchTemplate {
  private readonly encoded: Buffer;
  private readonly idOffsets: number[] = [];
  private readonly groupOffsets: number[] = [];
  private counter = 0;

  /**
   * With `groups`, FIFO messages: message n (counting over every `next()`) belongs to group `n % groups`, so each
   * group's messages are sent in order and a request spreads over many groups.
   */
  constructor(
    service: ServiceDefinition,
    topic: string,
    count: number,
    body: Buffer,
    private readonly groups?: number,
  ) {
    const ids = new MessageIds();
    const group = groups === undefined ? undefined : `g${'0'.repeat(GROUP_DIGITS)}`;
    const messages = Array.from({ length: count }, () => normalMessage(topic, ids.next(), body, Date.now(), group));
    const send = service.SendMessage as MethodDefinition<unknown, unknown>;
    this.encoded = send.requestSerialize({ messages });
    let from = 0;
    for (const message of messages) {
      const id = Buffer.from(message.system_properties.message_id as string, 'latin1');
      const at = this.encoded.indexOf(id, from);
      if (at < 0) throw new Error('message id not found in the encoded request');
      this.idOffsets.push(at + id.length - ID_DIGITS);
      from = at + id.length;
      if (group !== undefined) {
        const groupAt = this.encoded.indexOf(Buffer.from(group, 'latin1'), from);
        if (groupAt < 0) throw new Error('message group not found in the encoded request');
        this.groupOffsets.push(groupAt + 1);
        from = groupAt + group.length;
      }
    }
  }

  get messages(): number {
    return this.idOffsets.length;
  }

  next(): Buffer {
    const copy = Buffer.from(this.encoded);
    for (const [i, at] of this.idOffsets.entries()) {
      const n = this.counter++;
      copy.write(n.toString(16).toUpperCase().padStart(ID_DIGITS, '0'), at, 'latin1');
      const groupAt = this.groupOffsets[i];
      if (groupAt !== undefined && this.groups !== undefined) {
        copy.write(String(n % this.groups).padStart(GROUP_DIGITS, '0'), groupAt, 'latin1');
      }
    }
    return copy;
  }
}

export type Transport = 'http2' | 'grpc-js';

export interface BatchLoadOptions extends Window {
  readonly endpoint: string;
  readonly topic: string;
  readonly batch: number;
  /** Requests in flight, spread over `connections`. */
  readonly window: number;
  readonly connections: number;
  readonly body: Buffer;
  /** How the generator calls SendMessage: raw HTTP/2 (default, cheapest) or a grpc-js client. */
  readonly transport?: Transport;
  /** FIFO messages over this many message groups (BatchTemplate); NORMAL ones without. */
  readonly groups?: number;
}

type Sender = { send(request: Buffer): Promise<SendResponse>; close(): void };

/** (b): `window` requests of `batch` messages in flight over several connections, each answer checked per entry. */
export async function batchPublish(options: BatchLoadOptions): Promise<ClosedLoopResult> {
  const service = loadMessagingService();
  const clientId = newClientId();
  const senders: Sender[] = Array.from({ length: options.connections }, () => {
    if (options.transport === 'grpc-js') {
      const client = new MessagingClient(options.endpoint, service);
      return { send: (request) => client.sendEncoded(request), close: () => client.close() };
    }
    const client = new Http2GrpcClient(options.endpoint, clientId);
    const method = methodOf(service, 'SendMessage');
    return { send: (request) => client.unary<SendResponse>(method, request), close: () => client.close() };
  });
  const templates = senders.map(
    () => new BatchTemplate(service, options.topic, options.batch, options.body, options.groups),
  );
  try {
    // One call per connection first: the topic is created and every connection is up before the clock starts.
    await Promise.all(senders.map((c, i) => sendChecked(c, (templates[i] as BatchTemplate).next())));
    const warm = options.connections * options.batch;
    const result = await closedLoop(options.window, options, (worker) => {
      const i = worker % senders.length;
      return sendChecked(senders[i] as Sender, (templates[i] as BatchTemplate).next());
    });
    return { ...result, totalMessages: result.totalMessages + warm };
  } finally {
    for (const c of senders) c.close();
  }
}

async function sendChecked(sender: Sender, request: Buffer): Promise<number> {
  const response = await sender.send(request);
  if (!isSuccess(response.status)) throw new StatusError('SendMessage', response.status);
  for (const entry of response.entries ?? []) {
    if (!isSuccess(entry.status)) throw new StatusError('SendMessage entry', entry.status);
  }
  return response.entries?.length ?? 0;
}

/** The official client logs to ~/logs by default; the bench keeps it quiet. */
const quietLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** (a): one official Producer shared by `senders` concurrent send loops, one 1 KiB message per send. */
export async function officialPublish(
  options: Window & { endpoint: string; topic: string; senders: number; body: Buffer },
): Promise<ClosedLoopResult> {
  const producer = new Producer({
    endpoints: options.endpoint,
    namespace: '',
    logger: quietLogger,
    topics: [options.topic],
  });
  await producer.startup();
  try {
    await producer.send({ topic: options.topic, tag: 'bench', body: options.body });
    return await closedLoop(options.senders, options, async () => {
      await producer.send({ topic: options.topic, tag: 'bench', body: options.body });
      return 1;
    });
  } finally {
    await producer.shutdown();
  }
}
