import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** Benchmark entry point, the one place that reads the environment: `npm run bench -- <name>`. */
const benches: Record<string, () => Promise<void>> = {
  backlog: async () => {
    const { runBacklogBench } = await import('./backlog.js');
    await runBacklogBench({
      messages: envNumber('BENCH_BACKLOG_MESSAGES', 10_000_000),
      body: randomBytes(Math.round(envNumber('BENCH_BACKLOG_BODY_BYTES', 1024))),
      batch: 64,
      window: 16,
      drainMs: envNumber('BENCH_BACKLOG_DRAIN_SECONDS', 20) * 1000,
    });
  },
  timers: async () => {
    const { runTimersBench } = await import('./timers.js');
    await runTimersBench({
      messages: Math.round(envNumber('BENCH_TIMERS_MESSAGES', 1_000_000)),
      spanMs: envNumber('BENCH_TIMERS_SPAN_SECONDS', 120) * 1000,
      body: randomBytes(Math.round(envNumber('BENCH_TIMERS_BODY_BYTES', 256))),
      batch: 32,
      window: 16,
      normalMessages: Math.round(envNumber('BENCH_TIMERS_NORMAL_MESSAGES', 300_000)),
      normalRate: envNumber('BENCH_TIMERS_NORMAL_RATE', 5000),
      ...(process.env.BENCH_TIMERS_HOLD_SECONDS && { holdMs: envNumber('BENCH_TIMERS_HOLD_SECONDS', 0) * 1000 }),
      ...(process.env.BENCH_CPU_PROFILE === '1' && {
        cpuProfDir: fileURLToPath(new URL('./results/cpu-timers/', import.meta.url)),
      }),
    });
  },
  storage: async () => {
    const { runStorageBench } = await import('./storage.js');
    await runStorageBench({
      volumeGiB: envNumber('BENCH_STORAGE_GB', 5),
      repeats: Math.round(envNumber('BENCH_REPEATS', 3)),
      durationMs: envNumber('BENCH_SECONDS', 4) * 1000,
      resultsDir: fileURLToPath(new URL('./results/', import.meta.url)),
    });
  },
  fifo: async () => {
    const { runFifoBench } = await import('./fifo.js');
    const durationMs = envNumber('BENCH_SECONDS', 3) * 1000;
    await runFifoBench({
      repeats: Math.round(envNumber('BENCH_REPEATS', 3)),
      groups: Math.round(envNumber('BENCH_FIFO_GROUPS', 1000)),
      durationMs,
      consumeCapMs: envNumber('BENCH_CONSUME_SECONDS', 4 * (durationMs / 1000)) * 1000,
      body: randomBytes(1024),
    });
  },
  operator: async () => {
    const { runOperatorBench } = await import('./operator.js');
    await runOperatorBench({
      topics: Math.round(envNumber('BENCH_OPERATOR_TOPICS', 2000)),
      createConcurrency: Math.round(envNumber('BENCH_OPERATOR_CREATES_IN_FLIGHT', 64)),
      timeoutMs: envNumber('BENCH_OPERATOR_TIMEOUT_SECONDS', 120) * 1000,
      settleMs: envNumber('BENCH_OPERATOR_SETTLE_SECONDS', 3) * 1000,
      nodeFlags: (process.env.BENCH_OPERATOR_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    });
  },
  grpc: async () => {
    const { runGrpcBench } = await import('./grpc.js');
    const durationMs = envNumber('BENCH_SECONDS', 3) * 1000;
    const batch = Math.round(envNumber('BENCH_GRPC_BATCH', 32));
    const window = Math.round(envNumber('BENCH_GRPC_WINDOW', 16));
    await runGrpcBench({
      repeats: Math.round(envNumber('BENCH_REPEATS', 3)),
      settings: {
        body: randomBytes(1024),
        warmupMs: 1000,
        durationMs,
        consumeCapMs: envNumber('BENCH_CONSUME_SECONDS', 2 * (durationMs / 1000)) * 1000,
        senders: Math.round(envNumber('BENCH_GRPC_SENDERS', 16)),
        batch,
        window,
        connections: Math.round(envNumber('BENCH_GRPC_CONNECTIONS', 4)),
        transport: process.env.BENCH_GRPC_CLIENT === 'grpc-js' ? 'grpc-js' : 'http2',
        receivers: Math.round(envNumber('BENCH_GRPC_RECEIVERS', 4)),
        latency: {
          ratePerSec: envNumber('BENCH_LATENCY_RATE', 5000),
          warmupMs: 1000,
          durationMs: envNumber('BENCH_LATENCY_SECONDS', durationMs / 1000) * 1000,
          graceMs: 2000,
          tickMs: envNumber('BENCH_LATENCY_TICK_MS', 1),
        },
      },
      baselineWindow: window * batch,
      natsUrl: process.env.BENCH_NATS_URL || '127.0.0.1:4222',
      rabbitUrl: process.env.BENCH_RABBIT_URL || 'amqp://guest:guest@127.0.0.1:5672',
      cpuProfile: process.env.BENCH_CPU_PROFILE === '1',
      build: process.env.BENCH_GRPC_BUILD !== '0',
      resultsDir: fileURLToPath(new URL('./results/', import.meta.url)),
    });
  },
};

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0 && Number.isFinite(value))) fail(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

const bench = benches[process.argv[2] ?? ''];
if (!bench) {
  fail(
    `usage: npm run bench -- <${Object.keys(benches).join('|')}>\n` +
      '  env: BENCH_REPEATS (3), BENCH_SECONDS per scenario (storage 4, grpc 3), BENCH_STORAGE_GB memory-run volume (5)\n' +
      '  grpc: BENCH_GRPC_SENDERS (16), BENCH_GRPC_BATCH (32), BENCH_GRPC_WINDOW calls in flight (16),\n' +
      '    BENCH_GRPC_CONNECTIONS (4), BENCH_GRPC_RECEIVERS (4), BENCH_CONSUME_SECONDS cap (2 × BENCH_SECONDS),\n' +
      '    BENCH_LATENCY_RATE msgs/s (5000), BENCH_LATENCY_SECONDS (3), BENCH_LATENCY_TICK_MS publish every (1),\n' +
      '    BENCH_CPU_PROFILE=1 (broker --cpu-prof),\n' +
      '    BENCH_GRPC_BUILD=0 (skip npm run build), BENCH_GRPC_CLIENT=grpc-js ((b) on grpc-js, not raw HTTP/2),\n' +
      '    BENCH_NATS_URL (127.0.0.1:4222),\n' +
      '    BENCH_RABBIT_URL (amqp://guest:guest@127.0.0.1:5672)\n' +
      '  timers: BENCH_TIMERS_MESSAGES (1000000), BENCH_TIMERS_SPAN_SECONDS due over (120),\n' +
      '    BENCH_TIMERS_BODY_BYTES (256), BENCH_TIMERS_NORMAL_MESSAGES reference publish (300000),\n' +
      '    BENCH_TIMERS_NORMAL_RATE msgs/s while timers fire (5000)\n' +
      '  operator: BENCH_OPERATOR_TOPICS (2000), BENCH_OPERATOR_CREATES_IN_FLIGHT (64),\n' +
      '    BENCH_OPERATOR_TIMEOUT_SECONDS (120), BENCH_OPERATOR_SETTLE_SECONDS after the last Ready (3),\n' +
      '    BENCH_OPERATOR_NODE_FLAGS of the operator process (none)',
  );
}
await bench();
