import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drainBacklog, PopConsumer } from './grpc-pop.js';
import { type ServerProcess, startBroker } from './grpc-processes.js';
import { batchPublish } from './grpc-publish.js';
import { loadMessagingService } from './grpc-wire.js';
import { median } from './stats.js';

/**
 * FIFO against normal messaging on one broker (issue 4: FIFO throughput with 1,000 message groups ≥ 0.5× a normal
 * topic): in each round, a FIFO topic with a FIFO consumer group and a normal topic with a normal group are filled by
 * the same batch generator (32 messages per SendMessage, 16 in flight), then each backlog is drained by the same pop
 * consumer (receive 32 + batched acks). Ratios are taken per round, medians reported.
 */
export interface FifoBenchOptions {
  readonly repeats: number;
  readonly groups: number;
  readonly durationMs: number;
  readonly consumeCapMs: number;
  readonly body: Buffer;
}

interface Side {
  readonly publish: number;
  readonly consume: number;
  readonly drained: boolean;
}

const QUEUES = 8;
const TARGET = 0.5;

export async function runFifoBench(options: FifoBenchOptions): Promise<void> {
  const say = (line: string) => console.log(line);
  say(
    `fifo bench: ${options.groups} message groups, ${options.repeats} round(s), ${options.durationMs / 1000} s publish, ` +
      `drain cap ${options.consumeCapMs / 1000} s, ${options.body.length} B bodies, ${QUEUES} queues per topic`,
  );
  const rounds: { fifo: Side; normal: Side }[] = [];
  for (let r = 1; r <= options.repeats; r++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'rocketry-fifo-bench-'));
    const broker = await startBroker({ dataDir, flush: 'async', logFile: join(dataDir, 'broker.log') });
    try {
      // Alternate which side goes first, so neither always gets the warmer broker.
      const order: ('fifo' | 'normal')[] = r % 2 === 1 ? ['fifo', 'normal'] : ['normal', 'fifo'];
      const round: Partial<Record<'fifo' | 'normal', Side>> = {};
      for (const kind of order) round[kind] = await side(broker, kind, r, options);
      const { fifo, normal } = round as { fifo: Side; normal: Side };
      say(
        `round ${r}: FIFO publish ${n(fifo.publish)} msg/s, consume ${n(fifo.consume)} msg/s${fifo.drained ? '' : ' (cap reached)'}; ` +
          `normal publish ${n(normal.publish)} msg/s, consume ${n(normal.consume)} msg/s${normal.drained ? '' : ' (cap reached)'}`,
      );
      rounds.push({ fifo, normal });
    } finally {
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const ratio = (pick: (s: Side) => number) => median(rounds.map((x) => pick(x.fifo) / pick(x.normal)));
  const figure = (name: string, pick: (s: Side) => number) => {
    const value = ratio(pick);
    say(
      `${name.padEnd(10)} FIFO ${n(median(rounds.map((x) => pick(x.fifo))))} msg/s vs normal ` +
        `${n(median(rounds.map((x) => pick(x.normal))))} msg/s: ${value.toFixed(2)}× (target ≥ ${TARGET}×: ${value >= TARGET ? 'met' : 'MISSED'})`,
    );
  };
  say(`medians of ${rounds.length} round(s), ratio = median of per-round ratios`);
  figure('publish', (s) => s.publish);
  figure('consume', (s) => s.consume);
}

async function side(broker: ServerProcess, kind: 'fifo' | 'normal', round: number, options: FifoBenchOptions) {
  const topic = `bench-${kind}-${round}`;
  const group = `bench-${kind}-group-${round}`;
  await admin(broker, `/v1/topics/${topic}`, { messageType: kind === 'fifo' ? 'FIFO' : 'NORMAL', queues: QUEUES });
  await admin(broker, `/v1/groups/${group}`, { fifo: kind === 'fifo' });
  const service = loadMessagingService();
  const consumer = await PopConsumer.open(
    {
      endpoint: broker.endpoint,
      topic,
      group,
      connections: 4,
      receivers: 4,
      batch: 32,
      invisibleMs: 60_000,
      pollMs: 2000,
    },
    service,
  );
  try {
    const published = await batchPublish({
      endpoint: broker.endpoint,
      topic,
      batch: 32,
      window: 16,
      connections: 4,
      body: options.body,
      warmupMs: 500,
      durationMs: options.durationMs,
      ...(kind === 'fifo' && { groups: options.groups }),
    });
    const drained = await drainBacklog(consumer, published.totalMessages, options.consumeCapMs);
    return { publish: published.messagesPerSec, consume: drained.messagesPerSec, drained: drained.drained };
  } finally {
    consumer.close();
  }
}

async function admin(broker: ServerProcess, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${broker.admin}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
