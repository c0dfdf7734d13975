import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Http2GrpcClient, methodOf } from './grpc-h2.js';
import { ConsumptionUnavailable, drainBacklog, PopConsumer, popLatencyTarget } from './grpc-pop.js';
import {
  type CpuUse,
  cpuMeter,
  type FlushMode,
  type ServerProcess,
  startBroker,
  startEmptyServer,
} from './grpc-processes.js';
import { batchPublish, officialPublish, type Transport } from './grpc-publish.js';
import { loadMessagingService, newClientId } from './grpc-wire.js';
import type { ClosedLoopResult, DrainResult, LatencyResult } from './load-harness.js';
import { pacedLatency } from './load-harness.js';

/** One server process per run: the empty grpc-js server, or the broker in one flush mode. */

export interface RunSettings {
  readonly body: Buffer;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly consumeCapMs: number;
  /** (a) */
  readonly senders: number;
  /** (b) */
  readonly batch: number;
  readonly window: number;
  readonly connections: number;
  /** How (b) calls SendMessage; raw HTTP/2 unless 'grpc-js'. */
  readonly transport: Transport;
  /** (c), (d) */
  readonly receivers: number;
  readonly latency: { ratePerSec: number; warmupMs: number; durationMs: number; graceMs: number; tickMs: number };
}

export type Measured<T> = T & { cpu: CpuUse };
/** A figure the broker could not produce, and why. */
export interface NotAvailable {
  readonly unavailable: string;
}
export const isAvailable = <T extends object>(x: T | NotAvailable | undefined): x is T =>
  x !== undefined && !('unavailable' in x);

export interface EmptyRun {
  readonly official: Measured<ClosedLoopResult>;
  readonly batch: Measured<ClosedLoopResult>;
}

export interface BrokerRun {
  readonly flush: FlushMode;
  readonly official?: Measured<ClosedLoopResult>;
  readonly batch: Measured<ClosedLoopResult>;
  readonly consume: Measured<DrainResult> | NotAvailable;
  readonly latency: Measured<LatencyResult> | NotAvailable;
  /** VmHWM of the broker process at the end of the run. */
  readonly peakRssBytes: number;
}

const suffix = () => randomBytes(4).toString('hex');
const NO_RECEIVE = 'n/a (broker lacks receive)';

export async function emptyRun(settings: RunSettings, say: (line: string) => void): Promise<EmptyRun> {
  const server = await startEmptyServer();
  try {
    const official = await measure(server, () => officialLoad(server, settings));
    say(`  empty    (a) official ×${settings.senders}  ${rate(official)}`);
    const batch = await measure(server, () => batchLoad(server, settings));
    say(`  empty    (b) ${settings.batch}/call        ${rate(batch)}`);
    return { official, batch };
  } finally {
    await server.stop();
  }
}

export async function brokerRun(
  flush: FlushMode,
  settings: RunSettings,
  dirs: { dataDir: string; logFile: string; cpuProfDir?: string },
  say: (line: string) => void,
): Promise<BrokerRun> {
  const broker = await startBroker({ flush, ...dirs });
  const service = loadMessagingService();
  const pad = flush.padEnd(8);
  try {
    let official: Measured<ClosedLoopResult> | undefined;
    if (flush === 'async') {
      official = await measure(broker, () => officialLoad(broker, settings));
      say(`  ${pad} (a) official ×${settings.senders}  ${rate(official)}`);
    }
    const topic = `bench-b-${suffix()}`;
    const popOptions = (t: string) => ({
      endpoint: broker.endpoint,
      topic: t,
      group: `bench-g-${suffix()}`,
      connections: Math.min(settings.receivers, settings.connections),
      receivers: settings.receivers,
      batch: settings.batch,
      invisibleMs: 60_000,
      pollMs: 2000,
    });
    // The group subscribes before the backlog exists, so it starts at the topic's beginning.
    const consumer = await openConsumer(popOptions(topic), service);
    const batch = await measure(broker, () => batchLoad(broker, settings, topic));
    say(`  ${pad} (b) ${settings.batch}/call        ${rate(batch)}`);
    let consume: Measured<DrainResult> | NotAvailable = { unavailable: NO_RECEIVE };
    let latency: Measured<LatencyResult> | NotAvailable = { unavailable: NO_RECEIVE };
    if (isAvailable(consumer)) {
      try {
        consume = await measure(broker, () => drainBacklog(consumer, batch.totalMessages, settings.consumeCapMs));
      } finally {
        consumer.close();
      }
      say(`  ${pad} (c) receive ${settings.batch} + ack   ${drainText(consume)}`);
      latency = await popLatency(broker, popOptions(`bench-d-${suffix()}`), settings, service);
      if (isAvailable(latency)) say(`  ${pad} (d) ${latencyText(latency)}  ${coresText(latency.cpu)}`);
    } else {
      say(`  ${pad} (c), (d) ${consumer.unavailable}`);
    }
    return { flush, official, batch, consume, latency, peakRssBytes: await broker.peakRssBytes() };
  } finally {
    await broker.stop();
  }
}

/** Subscribes, then one short receive tells whether the broker delivers at all. */
async function openConsumer(
  options: Parameters<typeof PopConsumer.open>[0],
  service: ReturnType<typeof loadMessagingService>,
): Promise<PopConsumer | NotAvailable> {
  let consumer: PopConsumer | undefined;
  try {
    consumer = await PopConsumer.open(options, service);
    await consumer.receive(0, 1000);
    return consumer;
  } catch (err) {
    consumer?.close();
    if (err instanceof ConsumptionUnavailable) return { unavailable: NO_RECEIVE };
    throw err;
  }
}

/** CPU is measured over the paced run only (warm-up, measured window and grace), not the consumer's set-up. */
async function popLatency(
  broker: ServerProcess,
  options: Parameters<typeof PopConsumer.open>[0],
  settings: RunSettings,
  service: ReturnType<typeof loadMessagingService>,
): Promise<Measured<LatencyResult> | NotAvailable> {
  const consumer = await openConsumer({ ...options, pollMs: 5000 }, service);
  if (!isAvailable(consumer)) return consumer;
  const publisher = new Http2GrpcClient(broker.endpoint, newClientId());
  try {
    const target = popLatencyTarget(consumer, publisher, methodOf(service, 'SendMessage'), options.topic);
    const stop = await cpuMeter(broker.pid);
    const result = await pacedLatency(target, { ...settings.latency, bodyBytes: settings.body.length });
    return { ...result, cpu: await stop(result.measured) };
  } finally {
    consumer.close();
    publisher.close();
  }
}

function officialLoad(server: ServerProcess, s: RunSettings) {
  return officialPublish({ ...s, endpoint: server.endpoint, topic: `bench-a-${suffix()}` });
}

function batchLoad(server: ServerProcess, s: RunSettings, topic = `bench-b-${suffix()}`) {
  return batchPublish({ ...s, endpoint: server.endpoint, topic });
}

async function measure<T extends ClosedLoopResult | DrainResult>(
  server: ServerProcess,
  load: () => Promise<T>,
): Promise<Measured<T>> {
  const stop = await cpuMeter(server.pid);
  const result = await load();
  const messages = 'totalMessages' in result ? result.totalMessages : result.consumed;
  return { ...result, cpu: await stop(messages) };
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const cpuText = (cpu: CpuUse) =>
  `server ${cpu.serverUsPerMessage.toFixed(1)} µs/msg (${cpu.serverCores.toFixed(2)} cores), ` +
  `client ${cpu.clientUsPerMessage.toFixed(1)} µs/msg (${cpu.clientCores.toFixed(2)} cores)`;
const coresText = (cpu: CpuUse) =>
  `server ${cpu.serverCores.toFixed(2)} cores, client ${cpu.clientCores.toFixed(2)} cores`;
const rate = (r: Measured<ClosedLoopResult>) =>
  `${n(r.messagesPerSec).padStart(8)} msg/s  call p50 ${r.p50Ms.toFixed(1)} ms p99 ${r.p99Ms.toFixed(1)} ms  ${cpuText(r.cpu)}`;
const drainText = (r: Measured<DrainResult>) =>
  `${n(r.messagesPerSec).padStart(8)} msg/s  ${n(r.consumed)} in ${r.seconds.toFixed(1)} s${r.drained ? '' : ' (cap reached)'}  ${cpuText(r.cpu)}`;
export const latencyText = (r: LatencyResult) =>
  `latency @${n(r.ratePerSec)}/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  max ${r.maxMs.toFixed(1)} ms` +
  `${r.lost ? `  LOST ${n(r.lost)} (delivered ${n(r.deliveredPerSec)}/s)` : ''}${r.duplicates ? `  dup ${n(r.duplicates)}` : ''}${r.publishErrors ? `  publish errors ${n(r.publishErrors)} (first: ${r.firstPublishError ?? '?'})` : ''}`;

export const dirsFor = (root: string, flush: FlushMode, round: number, cpuProfRoot?: string) => ({
  dataDir: join(root, `${flush}-${round}`),
  logFile: join(root, `broker-${flush}-${round}.log`),
  ...(cpuProfRoot && { cpuProfDir: join(cpuProfRoot, `${flush}-${round}`) }),
});
