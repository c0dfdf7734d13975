import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Http2GrpcClient, methodOf } from './grpc-h2.js';
import { drainBacklog, PopConsumer } from './grpc-pop.js';
import { type ServerProcess, startBroker } from './grpc-processes.js';
import { BatchTemplate } from './grpc-publish.js';
import { isSuccess, loadMessagingService, newClientId, type SendResponse, StatusError } from './grpc-wire.js';

/**
 * Broker memory with a large backlog (issue 3: RSS under 512 MB with 10 million messages waiting): fill a topic
 * through SendMessage batches while a consumer group that subscribed first consumes nothing, then let the group drain
 * for a while, then restart the broker on the same data and drain again. Resident memory is sampled throughout.
 */
export interface BacklogOptions {
  readonly messages: number;
  readonly body: Buffer;
  readonly batch: number;
  readonly window: number;
  readonly drainMs: number;
}

const TOPIC = 'bench-backlog';
const GROUP = 'bench-backlog-group';
const LIMIT_BYTES = 512 << 20;

export async function runBacklogBench(options: BacklogOptions): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rocketry-backlog-'));
  const service = loadMessagingService();
  let broker: ServerProcess | undefined;
  try {
    broker = await startBroker({ dataDir, flush: 'async', logFile: join(dataDir, 'broker-1.log') });
    const popOptions = {
      endpoint: broker.endpoint,
      topic: TOPIC,
      group: GROUP,
      connections: 2,
      receivers: 4,
      batch: 32,
      invisibleMs: 60_000,
      pollMs: 1000,
    };
    const subscribed = await PopConsumer.open(popOptions, service);
    subscribed.close(); // the group's position is the topic's start; it consumes nothing while the backlog builds

    const fill = await sampled(broker, () => fillBacklog(broker as ServerProcess, options));
    console.log(
      `filled ${fill.value.sent.toLocaleString('en-US')} messages of ${options.body.length} B in ${(fill.value.ms / 1000).toFixed(0)} s ` +
        `(${Math.round(fill.value.sent / (fill.value.ms / 1000)).toLocaleString('en-US')} msg/s); broker RSS max ${mib(fill.maxRss)}`,
    );
    const drain = await sampled(broker, async () =>
      drainBacklog(
        await PopConsumer.open({ ...popOptions, endpoint: (broker as ServerProcess).endpoint }, service),
        Number.POSITIVE_INFINITY,
        options.drainMs,
      ),
    );
    console.log(
      `drained ${drain.value.consumed.toLocaleString('en-US')} in ${options.drainMs / 1000} s; broker RSS max ${mib(drain.maxRss)}`,
    );
    await broker.stop();

    const started = performance.now();
    broker = await startBroker({ dataDir, flush: 'async', logFile: join(dataDir, 'broker-2.log') });
    const openMs = performance.now() - started;
    const restart = await sampled(broker, async () =>
      drainBacklog(
        await PopConsumer.open({ ...popOptions, endpoint: (broker as ServerProcess).endpoint }, service),
        Number.POSITIVE_INFINITY,
        options.drainMs,
      ),
    );
    const peak = await broker.peakRssBytes();
    console.log(
      `restarted with the backlog in ${(openMs / 1000).toFixed(1)} s; drained ${restart.value.consumed.toLocaleString('en-US')} more; ` +
        `broker RSS max ${mib(restart.maxRss)}, VmHWM of the restarted broker ${mib(peak)}`,
    );
    const worst = Math.max(fill.maxRss, drain.maxRss, restart.maxRss);
    console.log(
      `broker RSS max over the run ${mib(worst)}: target < 512 MiB ${worst < LIMIT_BYTES ? 'MET' : 'MISSED'}`,
    );
  } finally {
    await broker?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function fillBacklog(broker: ServerProcess, options: BacklogOptions): Promise<{ sent: number; ms: number }> {
  const service = loadMessagingService();
  const client = new Http2GrpcClient(broker.endpoint, newClientId());
  const method = methodOf(service, 'SendMessage');
  const template = new BatchTemplate(service, TOPIC, options.batch, options.body);
  const started = performance.now();
  let sent = 0;
  let reported = 0;
  const worker = async () => {
    while (sent < options.messages) {
      sent += options.batch;
      const response = await client.unary<SendResponse>(method, template.next());
      if (!isSuccess(response.status)) throw new StatusError('SendMessage', response.status);
      if (sent - reported >= 1_000_000) {
        reported = sent;
        console.log(`  ${sent.toLocaleString('en-US')} sent`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.window }, worker));
  } finally {
    client.close();
  }
  return { sent, ms: performance.now() - started };
}

/** Runs `work` while sampling the broker's resident set (VmRSS) every 250 ms. */
async function sampled<T>(broker: ServerProcess, work: () => Promise<T>): Promise<{ value: T; maxRss: number }> {
  let maxRss = 0;
  const sample = async () => {
    try {
      const status = await readFile(`/proc/${broker.pid}/status`, 'utf8');
      const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
      maxRss = Math.max(maxRss, kb * 1024);
    } catch {
      // the process is gone
    }
  };
  const timer = setInterval(() => void sample(), 250);
  try {
    const value = await work();
    await sample();
    return { value, maxRss };
  } finally {
    clearInterval(timer);
  }
}

const mib = (bytes: number) => `${(bytes / (1 << 20)).toFixed(0)} MiB`;
