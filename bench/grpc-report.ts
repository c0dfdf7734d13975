import type { BaselineRound } from './baseline.js';
import { type BrokerRun, type EmptyRun, isAvailable, type NotAvailable } from './grpc-runs.js';
import { median, spread } from './stats.js';

/** The gRPC suite's figures: medians over rounds, ratios per round then their median, and the targets. */

export interface GrpcRound {
  readonly empty: EmptyRun;
  readonly async: BrokerRun;
  readonly sync: BrokerRun;
  readonly nats: BaselineRound | NotAvailable;
  readonly rabbit: BaselineRound | NotAvailable;
}

/** Each figure of one round, NaN where a system or a capability was missing. */
export type Figures = Record<FigureName, number>;
type FigureName = (typeof FIGURES)[number];
const FIGURES = [
  'emptyOfficial',
  'emptyBatch',
  'official',
  'batchAsync',
  'batchSync',
  'consumeAsync',
  'consumeSync',
  'latencyAsyncP50',
  'latencyAsyncP99',
  'latencySyncP50',
  'latencySyncP99',
  'natsPublish',
  'natsConsume',
  'natsP50',
  'natsP99',
  'rabbitPublish',
  'rabbitConsume',
  'rabbitP50',
  'rabbitP99',
  'brokerCpuUsPerMsgAsync',
  'brokerCpuUsPerMsgSync',
  'brokerCpuUsPerMsgConsume',
  'peakRssMb',
] as const;

export function figuresOf(round: GrpcRound): Figures {
  const pick = <T extends object>(x: T | NotAvailable | undefined, f: (v: T) => number) =>
    isAvailable(x) ? f(x) : Number.NaN;
  const { async: a, sync: s, nats, rabbit } = round;
  return {
    emptyOfficial: round.empty.official.messagesPerSec,
    emptyBatch: round.empty.batch.messagesPerSec,
    official: a.official?.messagesPerSec ?? Number.NaN,
    batchAsync: a.batch.messagesPerSec,
    batchSync: s.batch.messagesPerSec,
    consumeAsync: pick(a.consume, (c) => c.messagesPerSec),
    consumeSync: pick(s.consume, (c) => c.messagesPerSec),
    latencyAsyncP50: pick(a.latency, (l) => l.p50Ms),
    latencyAsyncP99: pick(a.latency, (l) => l.p99Ms),
    latencySyncP50: pick(s.latency, (l) => l.p50Ms),
    latencySyncP99: pick(s.latency, (l) => l.p99Ms),
    natsPublish: pick(nats, (n) => n.publish.messagesPerSec),
    natsConsume: pick(nats, (n) => n.consume.messagesPerSec),
    natsP50: pick(nats, (n) => n.latency.p50Ms),
    natsP99: pick(nats, (n) => n.latency.p99Ms),
    rabbitPublish: pick(rabbit, (r) => r.publish.messagesPerSec),
    rabbitConsume: pick(rabbit, (r) => r.consume.messagesPerSec),
    rabbitP50: pick(rabbit, (r) => r.latency.p50Ms),
    rabbitP99: pick(rabbit, (r) => r.latency.p99Ms),
    brokerCpuUsPerMsgAsync: a.batch.cpu.serverUsPerMessage,
    brokerCpuUsPerMsgSync: s.batch.cpu.serverUsPerMessage,
    brokerCpuUsPerMsgConsume: pick(a.consume, (c) => c.cpu.serverUsPerMessage),
    peakRssMb: Math.max(a.peakRssBytes, s.peakRssBytes) / 1e6,
  };
}

export interface Summary {
  readonly median: Figures;
  readonly spread: Figures;
}

/** Medians over the rounds where a figure exists; peak RSS is the maximum instead. */
export function summarize(rounds: readonly Figures[]): Summary {
  const med = {} as Figures;
  const spr = {} as Figures;
  for (const name of FIGURES) {
    const values = rounds.map((r) => r[name]).filter((v) => !Number.isNaN(v));
    med[name] = values.length === 0 ? Number.NaN : name === 'peakRssMb' ? Math.max(...values) : median(values);
    spr[name] = values.length < 2 || values.some((v) => !Number.isFinite(v)) ? Number.NaN : spread(values);
  }
  return { median: med, spread: spr };
}

export interface Check {
  readonly name: string;
  readonly figure: FigureName;
  readonly baseline: FigureName;
  readonly baselineName: string;
  /** Median over rounds of figure ÷ baseline within a round; NaN without a baseline. */
  readonly ratio: number;
  readonly target: string;
  readonly pass: boolean | undefined;
  readonly stretch?: { readonly target: string; readonly pass: boolean | undefined };
}

interface CheckSpec {
  name: string;
  figure: FigureName;
  baseline: FigureName;
  baselineName: string;
  /** Higher is better (throughput) or lower (latency). */
  higher: boolean;
  target: number;
  stretch?: number;
}

const CHECKS: CheckSpec[] = [
  {
    name: '(a) official producer, 16 senders',
    figure: 'official',
    baseline: 'emptyOfficial',
    baselineName: 'empty grpc-js server',
    higher: true,
    target: 0.9,
  },
  {
    name: '(b) 32 msgs/SendMessage, flush async',
    figure: 'batchAsync',
    baseline: 'natsPublish',
    baselineName: 'JetStream acked publish',
    higher: true,
    target: 1.0,
    stretch: 1.5,
  },
  {
    name: '(b) 32 msgs/SendMessage, flush sync',
    figure: 'batchSync',
    baseline: 'rabbitPublish',
    baselineName: 'RabbitMQ quorum, confirms',
    higher: true,
    target: 2.5,
  },
  {
    name: '(c) receive 32 + batched acks, async',
    figure: 'consumeAsync',
    baseline: 'natsConsume',
    baselineName: 'JetStream consume',
    higher: true,
    target: 0.8,
    stretch: 1.2,
  },
  {
    name: '(d) p99 publish→consume @5k/s, async',
    figure: 'latencyAsyncP99',
    baseline: 'natsP99',
    baselineName: 'JetStream p99',
    higher: false,
    target: 1.0,
  },
  {
    name: '(d) p99 publish→consume @5k/s, sync',
    figure: 'latencySyncP99',
    baseline: 'rabbitP99',
    baselineName: 'RabbitMQ quorum p99',
    higher: false,
    target: 1.0,
  },
];

export function evaluate(rounds: readonly Figures[]): Check[] {
  return CHECKS.map((spec) => {
    const ratios = rounds.map((r) => ratioOf(r[spec.figure], r[spec.baseline])).filter((v) => !Number.isNaN(v));
    const ratio = ratios.length === 0 ? Number.NaN : median(ratios);
    const meets = (goal: number) => (Number.isNaN(ratio) ? undefined : spec.higher ? ratio >= goal : ratio <= goal);
    const op = spec.higher ? '≥' : '≤';
    return {
      name: spec.name,
      figure: spec.figure,
      baseline: spec.baseline,
      baselineName: spec.baselineName,
      ratio,
      target: `${op} ${spec.target.toFixed(1)}×`,
      pass: meets(spec.target),
      ...(spec.stretch !== undefined && {
        stretch: { target: `${op} ${spec.stretch.toFixed(1)}×`, pass: meets(spec.stretch) },
      }),
    };
  });
}

/** Infinite latencies (messages lost) compare as such; a missing side gives NaN. */
function ratioOf(value: number, baseline: number): number {
  if (Number.isNaN(value) || Number.isNaN(baseline)) return Number.NaN;
  if (value === baseline) return 1;
  return value / baseline;
}
