import { loadavg } from 'node:os';
import type { Check, Figures, Summary } from './grpc-report.js';

/** The gRPC suite's closing report. */

const say = (line: string) => console.log(line);
const LATENCY = new Set(['latencyAsyncP99', 'latencySyncP99', 'natsP99', 'rabbitP99']);
const P50_OF: Record<string, keyof Figures> = {
  latencyAsyncP99: 'latencyAsyncP50',
  latencySyncP99: 'latencySyncP50',
  natsP99: 'natsP50',
  rabbitP99: 'rabbitP50',
};

export interface Unavailable {
  /** Why a baseline or a broker capability gave no figure, by figure name. */
  readonly [figure: string]: string | undefined;
}

export function printGrpcReport(
  rounds: number,
  summary: Summary,
  checks: readonly Check[],
  unavailable: Unavailable,
): void {
  const m = summary.median;
  say('');
  say(`medians of ${rounds} round(s); 1 KiB messages; ratio = median over rounds of the same-round ratio`);
  say(
    `${'figure'.padEnd(40)} ${'Rocketry'.padStart(24)} ${'spread'.padStart(6)}   ${'baseline'.padEnd(46)} ${'ratio'.padStart(6)}  target`,
  );
  for (const c of checks) {
    const mine = figureText(c.figure, summary, unavailable);
    const base = `${c.baselineName} ${figureText(c.baseline, summary, unavailable)}`;
    const ratio = Number.isNaN(c.ratio) ? 'n/a' : fmtRatio(c.ratio);
    const verdict = c.pass === undefined ? 'n/a' : c.pass ? 'PASS' : 'MISS';
    const stretch = c.stretch
      ? `; stretch ${c.stretch.target} ${c.stretch.pass === undefined ? 'n/a' : c.stretch.pass ? 'met' : 'missed'}`
      : '';
    say(
      `${c.name.padEnd(40)} ${mine.padStart(24)} ${spreadText(summary.spread[c.figure]).padStart(6)}   ` +
        `${base.padEnd(46)} ${ratio.padStart(6)}  ${c.target} ${verdict}${stretch}`,
    );
  }
  say('');
  say(
    `(b) on the empty grpc-js server       ${rate(m.emptyBatch)} (transport ceiling with this client): ` +
      `broker async ${fmtRatio(m.batchAsync / m.emptyBatch)}×, sync ${fmtRatio(m.batchSync / m.emptyBatch)}× of it`,
  );
  say(`(c) receive 32 + batched acks, sync   ${figureText('consumeSync', summary, unavailable)}`);
  say(
    `(d) p50 publish→consume               async ${latency(m.latencyAsyncP50)}, sync ${latency(m.latencySyncP50)}; ` +
      `JetStream ${latency(m.natsP50)}, RabbitMQ quorum ${latency(m.rabbitP50)}`,
  );
  say(`RabbitMQ quorum consume, acks per 32   ${figureText('rabbitConsume', summary, unavailable)}`);
  say(
    `broker CPU per message                publish async ${us(m.brokerCpuUsPerMsgAsync)}, sync ${us(m.brokerCpuUsPerMsgSync)}; ` +
      `consume async ${us(m.brokerCpuUsPerMsgConsume)} (user+sys of the broker process, all threads)`,
  );
  say(`broker RSS peak (VmHWM)               ${Number.isNaN(m.peakRssMb) ? 'n/a' : `${m.peakRssMb.toFixed(0)} MB`}`);
  say(`load                                  ${loadText()}`);
  const baselines = new Set([unavailable.natsPublish, unavailable.rabbitPublish]);
  for (const why of baselines) if (why) say(`baseline unavailable: ${why}`);
}

function figureText(name: keyof Figures, summary: Summary, unavailable: Unavailable): string {
  const value = summary.median[name];
  if (Number.isNaN(value)) {
    // Baselines give their reason below the table; a capability the broker lacks says so here.
    const why = unavailable[name];
    return why === undefined ? 'n/a' : why.startsWith('n/a') ? why : 'unavailable';
  }
  if (LATENCY.has(name)) {
    const p50 = summary.median[P50_OF[name] as keyof Figures];
    return `${latency(value)} (p50 ${latency(p50)})`;
  }
  return `${fmt(value, 0)} msg/s`;
}

const latency = (ms: number) => (Number.isNaN(ms) ? 'n/a' : Number.isFinite(ms) ? `${fmt(ms, 2)} ms` : '∞ (lost)');
const us = (v: number) => (Number.isNaN(v) ? 'n/a' : `${fmt(v, 1)} µs`);
const rate = (v: number) => (Number.isNaN(v) ? 'n/a' : `${fmt(v, 0)} msg/s`);
const spreadText = (v: number) => (Number.isNaN(v) ? '' : `${fmt(v * 100, 0)}%`);

export function fmtRatio(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'n/a' : '∞';
  return fmt(value, value >= 10 ? 0 : 2);
}

export function fmt(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
