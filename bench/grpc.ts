import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaselineRound } from './baseline.js';
import { printProfile, summarizeProfile } from './cpu-profile.js';
import { loadText, printGrpcReport, type Unavailable } from './grpc-print.js';
import { evaluate, type Figures, figuresOf, type GrpcRound, summarize } from './grpc-report.js';
import {
  type BrokerRun,
  brokerRun,
  dirsFor,
  emptyRun,
  isAvailable,
  latencyText,
  type NotAvailable,
  type RunSettings,
} from './grpc-runs.js';
import { natsRound, natsUnavailable } from './nats-baseline.js';
import { rabbitRound, rabbitUnavailable, redactUrl } from './rabbit-baseline.js';

export interface GrpcBenchOptions {
  readonly repeats: number;
  readonly settings: RunSettings;
  /** Messages per baseline publish window (NATS and RabbitMQ have no batch publish): window × batch of (b). */
  readonly baselineWindow: number;
  readonly natsUrl: string;
  readonly rabbitUrl: string;
  /** Runs the broker with --cpu-prof and prints where its time went. */
  readonly cpuProfile: boolean;
  readonly build: boolean;
  readonly resultsDir: string;
}

const REPO = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => console.log(line);
const BASELINE_ACK_EVERY = 32;
const RABBIT_PREFETCH = 1000;

/**
 * The gRPC suite: the broker as a child process against the official client, the raw batch generator, pop
 * consumption and fixed-rate latency, next to an empty grpc-js server, NATS JetStream and a RabbitMQ quorum queue,
 * all in one run. Each round runs every system once, the order reversed every other round.
 */
export async function runGrpcBench(options: GrpcBenchOptions): Promise<void> {
  const startedAt = new Date();
  if (options.build) build();
  const root = await mkdtemp(join(tmpdir(), 'rocketry-bench-grpc-'));
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const profileRoot = options.cpuProfile ? join(options.resultsDir, `grpc-profiles-${stamp}`) : undefined;
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  const onInterrupt = () => process.exit(130);
  // Also on a crash: child servers are killed on exit (grpc-processes.ts), their data goes with them.
  process.once('exit', removeRoot);
  process.once('SIGINT', onInterrupt);
  try {
    const s = options.settings;
    say(`grpc bench: node ${process.version}, ${cpus().length} cpus, load ${loadText()}, data in ${root}`);
    say(
      `${options.repeats} round(s); ${s.durationMs / 1000} s per load after ${s.warmupMs / 1000} s warm-up; ` +
        `(a) ${s.senders} senders; (b) ${s.batch}/call, ${s.window} calls in flight over ${s.connections} ${s.transport} connections; ` +
        `(c) ${s.receivers} receivers, cap ${s.consumeCapMs / 1000} s; (d) ${s.latency.ratePerSec}/s for ${s.latency.durationMs / 1000} s`,
    );
    const unavailable: Record<string, string | undefined> = {
      natsPublish: await natsUnavailable(options.natsUrl),
      rabbitPublish: await rabbitUnavailable(options.rabbitUrl),
    };
    for (const [key, why] of Object.entries(unavailable)) if (why) say(`baseline unavailable (${key}): ${why}`);
    const rounds: GrpcRound[] = [];
    for (let r = 1; r <= options.repeats; r++) {
      say(`round ${r}/${options.repeats} (load ${loadText()})`);
      rounds.push(await runRound(r, root, options, unavailable, profileRoot));
    }
    const figures = rounds.map(figuresOf);
    const summary = summarize(figures);
    const checks = evaluate(figures);
    printGrpcReport(rounds.length, summary, checks, reasons(rounds, unavailable));
    if (profileRoot) await printProfiles(profileRoot);
    const file = join(options.resultsDir, `grpc-${stamp}.json`);
    await mkdir(options.resultsDir, { recursive: true });
    const host = { node: process.version, platform: process.platform, cpus: cpus().length, load: loadavg() };
    const { body: _body, ...settings } = s;
    const written = { ...options, settings, rabbitUrl: redactUrl(options.rabbitUrl) };
    const body = { startedAt, host, options: written, rounds, figures, summary, checks };
    await writeFile(file, `${JSON.stringify(body, jsonSafe, 2)}\n`);
    say(`results: ${file}`);
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('exit', removeRoot);
    removeRoot();
  }
}

async function runRound(
  round: number,
  root: string,
  options: GrpcBenchOptions,
  unavailable: Record<string, string | undefined>,
  profileRoot: string | undefined,
): Promise<GrpcRound> {
  const s = options.settings;
  const results: Partial<{ -readonly [K in keyof GrpcRound]: GrpcRound[K] }> = {};
  const baseline = { ...s, window: options.baselineWindow, ackEvery: BASELINE_ACK_EVERY };
  const steps: (() => Promise<void>)[] = [
    async () => {
      results.empty = await emptyRun(s, say);
    },
    async () => {
      results.async = await runBroker('async');
    },
    async () => {
      results.sync = await runBroker('sync');
    },
    async () => {
      results.nats = await baselineStep('JetStream', unavailable.natsPublish, () =>
        natsRound({ ...baseline, url: options.natsUrl }),
      );
    },
    async () => {
      results.rabbit = await baselineStep('RabbitMQ', unavailable.rabbitPublish, () =>
        rabbitRound({ ...baseline, url: options.rabbitUrl, prefetch: RABBIT_PREFETCH }),
      );
    },
  ];
  if (round % 2 === 0) steps.reverse();
  for (const step of steps) await step();
  return results as GrpcRound;

  function runBroker(flush: 'async' | 'sync'): Promise<BrokerRun> {
    return brokerRun(flush, s, dirsFor(root, flush, round, profileRoot), say);
  }
}

/** A baseline that fails mid-run is reported as unavailable for that round; the suite carries on. */
async function baselineStep(
  name: string,
  whyNot: string | undefined,
  run: () => Promise<BaselineRound>,
): Promise<BaselineRound | NotAvailable> {
  if (whyNot) return { unavailable: whyNot };
  try {
    const result = await run();
    const n = (x: number) => Math.round(x).toLocaleString('en-US');
    say(
      `  ${name.padEnd(9)} publish ${n(result.publish.messagesPerSec)} msg/s (p50 ${result.publish.p50Ms.toFixed(1)} ms)  ` +
        `consume ${n(result.consume.messagesPerSec)} msg/s${result.consume.drained ? '' : ' (cap reached)'}  ${latencyText(result.latency)}`,
    );
    return result;
  } catch (err) {
    const reason = `${name} failed: ${(err as Error).message}`;
    say(`  ${reason}`);
    return { unavailable: reason };
  }
}

function reasons(rounds: readonly GrpcRound[], up: Record<string, string | undefined>): Unavailable {
  const first = <T extends object>(pick: (r: GrpcRound) => T | NotAvailable | undefined) => {
    const missing = rounds.map(pick).find((x): x is NotAvailable => x !== undefined && !isAvailable(x));
    return missing?.unavailable;
  };
  const nats = up.natsPublish ?? first((r) => r.nats);
  const rabbit = up.rabbitPublish ?? first((r) => r.rabbit);
  const out: Record<keyof Figures, string | undefined> = {} as Record<keyof Figures, string | undefined>;
  for (const key of ['natsPublish', 'natsConsume', 'natsP99'] as const) out[key] = nats;
  for (const key of ['rabbitPublish', 'rabbitConsume', 'rabbitP99'] as const) out[key] = rabbit;
  out.consumeAsync = first((r) => r.async.consume);
  out.latencyAsyncP99 = first((r) => r.async.latency);
  out.consumeSync = first((r) => r.sync.consume);
  out.latencySyncP99 = first((r) => r.sync.latency);
  return out;
}

function build(): void {
  say('building (npm run build)…');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('build failed; fix it or run with BENCH_GRPC_BUILD=0 to use the existing dist/');
    process.exit(1);
  }
}

async function printProfiles(profileRoot: string): Promise<void> {
  for (const flush of ['async', 'sync']) {
    const dir = join(profileRoot, `${flush}-1`);
    const file = (await readdir(dir).catch(() => [])).find((f) => f.endsWith('.cpuprofile'));
    if (!file) continue;
    say('');
    say(`broker CPU profile, flush ${flush}, round 1 (${join(dir, file)}):`);
    printProfile(await summarizeProfile(join(dir, file)), say);
  }
}

/** Infinite latencies (lost messages) would become null in JSON. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value) && !Number.isNaN(value)) return 'Infinity';
  return value;
}
