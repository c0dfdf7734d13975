import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { Http2GrpcClient, methodOf } from './grpc-h2.js';
import { PopConsumer } from './grpc-pop.js';
import { type ServerProcess, sleep, startBroker } from './grpc-processes.js';
import { BatchTemplate } from './grpc-publish.js';
import {
  isSuccess,
  loadMessagingService,
  MessageIds,
  newClientId,
  normalMessage,
  type ReceivedMessage,
  type SendResponse,
  StatusError,
} from './grpc-wire.js';
import { Samples } from './stats.js';

/**
 * Issue 4 performance, `npm run bench -- timers`: schedule `messages` DELAY messages due over the next `spanMs`, and
 * measure (1) broker RSS over its idle baseline while they are pending and firing (target < 400 MB), (2) the schedule
 * rate against the normal publish rate of the same broker in the same run, same batch and window (target ≥ 0.8×),
 * (3) firing lateness while normal traffic is published at `normalRate` msg/s (target p99 ≤ 1 s). Lateness is what a
 * consumer sees: receive time minus the message's delivery_timestamp (so it includes the consume path).
 */
export interface TimersBenchOptions {
  readonly messages: number;
  readonly spanMs: number;
  readonly body: Buffer;
  readonly batch: number;
  readonly window: number;
  /** Messages of the normal-publish phase that sets the reference rate. */
  readonly normalMessages: number;
  readonly normalRate: number;
  /** Keeps the broker running this long after the run (to inspect it); 0 by default. */
  readonly holdMs?: number;
  /** The broker runs with --cpu-prof and writes its profile here. */
  readonly cpuProfDir?: string;
}

const DELAY_TOPIC = 'bench-timers-delay';
const NORMAL_TOPIC = 'bench-timers-normal';
const GROUP = 'bench-timers-group';
const RSS_TARGET_BYTES = 400 * 1000 * 1000;

export async function runTimersBench(options: TimersBenchOptions): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rocketry-timers-'));
  const service = loadMessagingService();
  let broker: ServerProcess | undefined;
  let consumer: PopConsumer | undefined;
  try {
    broker = await startBroker({
      dataDir,
      flush: 'async',
      logFile: join(dataDir, 'broker.log'),
      ...(options.cpuProfDir && { cpuProfDir: options.cpuProfDir }),
    });
    const b = broker;
    await sleep(2000);
    const idleRss = await rssOf(b.pid);
    console.log(`broker idle RSS ${mib(idleRss)}`);
    consumer = await PopConsumer.open(
      {
        endpoint: b.endpoint,
        topic: DELAY_TOPIC,
        group: GROUP,
        connections: 2,
        receivers: 4,
        batch: 32,
        invisibleMs: 60_000,
        pollMs: 1000,
      },
      service,
    );

    const normal = await publishAll(
      b.endpoint,
      service,
      options,
      () => new BatchTemplate(service, NORMAL_TOPIC, options.batch, options.body),
      options.normalMessages,
    );
    const normalRate = normal.sent / (normal.ms / 1000);
    console.log(`  broker: ${await brokerFigures(b.pid)}`);
    console.log(`normal publish: ${fmt(normal.sent)} in ${(normal.ms / 1000).toFixed(1)} s = ${fmt(normalRate)} msg/s`);

    // Lateness, counted as the fired messages arrive at the consumer.
    const all = new Samples();
    const afterScheduling = new Samples();
    let scheduledAt = Number.POSITIVE_INFINITY;
    let received = 0;
    const consuming = consumer.run(
      (messages) => {
        const now = Date.now();
        for (const m of messages) {
          const due = dueOf(m);
          all.push(now - due);
          if (due >= scheduledAt) afterScheduling.push(now - due);
        }
        received += messages.length;
      },
      () => {},
    );

    let maxRss = 0;
    const sampler = setInterval(() => {
      void rssOf(b.pid).then((rss) => {
        maxRss = Math.max(maxRss, rss);
      });
    }, 250);
    const spanStart = Date.now() + 2000;
    const scheduling = await publishAll(
      b.endpoint,
      service,
      options,
      () =>
        new DelayBatchTemplate(
          service,
          DELAY_TOPIC,
          options.batch,
          options.body,
          spanStart,
          options.spanMs,
          options.messages,
        ),
      options.messages,
    );
    scheduledAt = Date.now();
    const scheduleRate = scheduling.sent / (scheduling.ms / 1000);
    const rssAfterScheduling = await rssOf(b.pid);
    const afterSchedulingFigures = await brokerFigures(b.pid);
    console.log(
      `scheduled ${fmt(scheduling.sent)} due over ${options.spanMs / 1000} s in ${(scheduling.ms / 1000).toFixed(1)} s = ` +
        `${fmt(scheduleRate)} msg/s (${(scheduleRate / normalRate).toFixed(2)}× normal; target ≥ 0.8×); ` +
        `RSS ${mib(rssAfterScheduling)}`,
    );

    console.log(`  broker: ${afterSchedulingFigures}`);
    // Normal traffic at a fixed rate until every timer fired and was received.
    const paced = publishPaced(b.endpoint, service, options);
    const deadline = spanStart + options.spanMs + 60_000;
    while (received < scheduling.sent && Date.now() < deadline) await sleep(200);
    const normalSent = await paced.stop();
    console.log(`  broker: ${await brokerFigures(b.pid)}`);
    clearInterval(sampler);
    consumer.stop();
    await consuming.catch(() => {});

    const [p50, p99, max] = all.percentiles(0.5, 0.99, 1);
    const [ap50, ap99, amax] = afterScheduling.percentiles(0.5, 0.99, 1);
    console.log(
      `received ${fmt(received)} of ${fmt(scheduling.sent)} fired messages; normal traffic meanwhile ${fmt(normalSent.rate)} msg/s`,
    );
    console.log(`lateness at the consumer, all: p50 ${ms(p50)} p99 ${ms(p99)} max ${ms(max)}`);
    console.log(
      `lateness at the consumer, due after scheduling ended (${fmt(afterScheduling.count)}): p50 ${ms(ap50)} p99 ${ms(ap99)} max ${ms(amax)}; target p99 ≤ 1 s ${(ap99 ?? Number.NaN) <= 1000 ? 'MET' : 'MISSED'}`,
    );
    const overIdle = maxRss - idleRss;
    console.log(
      `broker RSS max ${mib(maxRss)}, ${mib(overIdle)} over idle: target < 400 MB ${overIdle < RSS_TARGET_BYTES ? 'MET' : 'MISSED'}; ` +
        `schedule rate ${(scheduleRate / normalRate).toFixed(2)}× normal: target ≥ 0.8× ${scheduleRate >= 0.8 * normalRate ? 'MET' : 'MISSED'}`,
    );
    if (received < scheduling.sent)
      console.log(`MISSING: ${fmt(scheduling.sent - received)} fired messages never arrived`);
    if (options.holdMs) {
      console.log(`holding the broker (pid ${b.pid}) for ${options.holdMs / 1000} s`);
      await sleep(options.holdMs);
      console.log(`  broker: ${await brokerFigures(b.pid)}; RSS ${mib(await rssOf(b.pid))}`);
    }
  } finally {
    consumer?.close();
    await broker?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface Template {
  readonly messages: number;
  next(): Buffer;
}

async function publishAll(
  endpoint: string,
  service: ServiceDefinition,
  options: TimersBenchOptions,
  template: () => Template,
  total: number,
): Promise<{ sent: number; ms: number }> {
  const clients = [0, 1].map(() => new Http2GrpcClient(endpoint, newClientId()));
  const method = methodOf(service, 'SendMessage');
  const t = template();
  const started = performance.now();
  let sent = 0;
  const worker = async (w: number) => {
    while (sent < total) {
      sent += t.messages;
      const response = await (clients[w % 2] as Http2GrpcClient).unary<SendResponse>(method, t.next());
      if (!isSuccess(response.status)) throw new StatusError('SendMessage', response.status);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.window }, (_, w) => worker(w)));
  } finally {
    for (const c of clients) c.close();
  }
  return { sent, ms: performance.now() - started };
}

/** Normal messages at `normalRate` msg/s in batches every 10 ms, until stopped. */
function publishPaced(endpoint: string, service: ServiceDefinition, options: TimersBenchOptions) {
  const client = new Http2GrpcClient(endpoint, newClientId());
  const method = methodOf(service, 'SendMessage');
  const perTick = Math.max(1, Math.round(options.normalRate / 100));
  const template = new BatchTemplate(service, NORMAL_TOPIC, perTick, options.body);
  const started = Date.now();
  let sent = 0;
  let failure: unknown;
  const timer = setInterval(() => {
    const owed = Math.floor(((Date.now() - started) / 1000) * options.normalRate) - sent;
    if (owed < perTick) return;
    sent += perTick;
    client.unary<SendResponse>(method, template.next()).then(
      (r) => {
        if (!isSuccess(r.status)) failure ??= new StatusError('SendMessage', r.status);
      },
      (err: unknown) => {
        failure ??= err;
      },
    );
  }, 2);
  return {
    async stop() {
      clearInterval(timer);
      client.close();
      if (failure) throw failure;
      return { sent, rate: sent / ((Date.now() - started) / 1000) };
    },
  };
}

/**
 * A SendMessageRequest of `count` DELAY messages encoded once; each `next()` copy gets fresh ids and delivery times
 * (ms precision, written over the template's placeholders), spread evenly over the span in send order, so every stored timer is distinct and the generator's CPU goes to the wire.
 */
class DelayBatchTemplate implements Template {
  private readonly encoded: Buffer;
  private readonly secondsAt: number[] = [];
  private readonly nanosAt: number[] = [];
  private readonly idAt: number[] = [];
  private counter = 0;

  constructor(
    service: ServiceDefinition,
    topic: string,
    readonly messages: number,
    body: Buffer,
    private readonly spanStart: number,
    private readonly spanMs: number,
    private readonly total: number,
  ) {
    const ids = new MessageIds();
    // Placeholders whose varints take 5 bytes; the real values are written over them as 5-byte varints (padded with
    // continuation bytes where shorter, which protobuf decoders accept), so times keep the client's ms precision.
    const placeholder = (i: number) => 1_900_000_000 + i;
    const nanosPlaceholder = (i: number) => 900_000_000 + i;
    const list = Array.from({ length: messages }, (_, i) => {
      const m = normalMessage(topic, ids.next(), body);
      return {
        ...m,
        system_properties: {
          ...m.system_properties,
          message_type: 'DELAY',
          delivery_timestamp: { seconds: placeholder(i), nanos: nanosPlaceholder(i) },
        },
      };
    });
    const send = service.SendMessage as MethodDefinition<unknown, unknown>;
    this.encoded = send.requestSerialize({ messages: list });
    let from = 0;
    list.forEach((m, i) => {
      const id = Buffer.from((m.system_properties as Record<string, unknown>).message_id as string, 'latin1');
      const at = this.encoded.indexOf(id, from);
      if (at < 0) throw new Error('message id not found in the encoded request');
      this.idAt.push(at + id.length - 18);
      const seconds = this.encoded.indexOf(varint(placeholder(i)), at);
      const nanos = this.encoded.indexOf(varint(nanosPlaceholder(i)), at);
      if (seconds < 0 || nanos < 0) throw new Error('delivery time not found in the encoded request');
      this.secondsAt.push(seconds);
      this.nanosAt.push(nanos);
      from = Math.max(seconds, nanos);
    });
  }

  next(): Buffer {
    const copy = Buffer.from(this.encoded);
    for (let i = 0; i < this.idAt.length; i++) {
      const n = this.counter++;
      copy.write(n.toString(16).toUpperCase().padStart(18, '0'), this.idAt[i] as number, 'latin1');
      const due = this.spanStart + Math.floor((n / this.total) * this.spanMs);
      varint5(Math.floor(due / 1000)).copy(copy, this.secondsAt[i] as number);
      varint5((due % 1000) * 1_000_000).copy(copy, this.nanosAt[i] as number);
    }
    return copy;
  }
}

/** `value` (< 2^35) as a varint of exactly 5 bytes. */
function varint5(value: number): Buffer {
  const bytes = Buffer.alloc(5);
  let v = value;
  for (let i = 0; i < 5; i++) {
    bytes[i] = (v % 0x80) | (i < 4 ? 0x80 : 0);
    v = Math.floor(v / 0x80);
  }
  return bytes;
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function dueOf(m: ReceivedMessage): number {
  const ts = (m.system_properties as { delivery_timestamp?: { seconds?: number | string; nanos?: number } })
    ?.delivery_timestamp;
  return Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);
}

/** The broker's admin endpoint, from its command line (bench/grpc-processes.ts picks a free port). */
async function adminOf(pid: number): Promise<string> {
  const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  return `http://127.0.0.1:${args[args.indexOf('--admin-port') + 1]}`;
}

/** V8 heap and external memory from /metrics, and the broker's own lateness histogram (due → stored in the topic). */
async function brokerFigures(pid: number): Promise<string> {
  try {
    const text = await (await fetch(`${await adminOf(pid)}/metrics`)).text();
    const value = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    const buckets = [...text.matchAll(/^rocketry_timer_lateness_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)].map((m) => ({
      le: m[1] as string,
      count: Number(m[2]),
    }));
    const total = buckets.at(-1)?.count ?? 0;
    const under = (p: number) => buckets.find((b) => b.count >= p * total)?.le ?? '?';
    return (
      `heap used ${mib(value('nodejs_heap_size_used_bytes'))} of ${mib(value('nodejs_heap_size_total_bytes'))}, ` +
      `external ${mib(value('nodejs_external_memory_bytes'))}; broker lateness (due → stored) ` +
      `p50 ≤ ${under(0.5)} s, p99 ≤ ${under(0.99)} s of ${fmt(total)}`
    );
  } catch (err) {
    return `no /metrics: ${(err as Error).message}`;
  }
}

async function rssOf(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

const mib = (bytes: number) => `${(bytes / (1 << 20)).toFixed(0)} MiB`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (v: number | undefined) => `${Math.round(v ?? Number.NaN)} ms`;
