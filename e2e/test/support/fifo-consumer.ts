import { openSync, writeSync } from 'node:fs';
import { type MessageView, SimpleConsumer } from 'rocketmq-client-nodejs';

/**
 * One consumer process of fifo-failure.e2e.test.ts: `consumers` official SimpleConsumers of a FIFO group, each with
 * `loops` concurrent receive loops, failing a random `failRate` of the deliveries. A failure is a nack (visible again
 * after `nackMs`) or, for `dropShare` of the failures, nothing at all (visible again when the invisible time expires).
 * Every other delivery is processed (logged), then acked up to `ackDelayMaxMs` later.
 *
 *   node --import tsx e2e/test/support/fifo-consumer.ts '<FifoConsumerOptions as JSON>'
 *
 * The log has one line per event, each written with one write(2), so a SIGKILL loses none that were written.
 * Times are epoch microseconds from the monotonic clock (performance.timeOrigin + performance.now()), comparable
 * across the processes of one machine:
 *
 *   received   <group> <seq> <messageId> <µs> <attempt>
 *   failed     <group> <seq> <messageId> <µs> nack|drop
 *   processed  <group> <seq> <messageId> <µs>
 *   acking     <group> <seq> <messageId> <µs>        (the ack is sent next)
 *   acked      <group> <seq> <messageId> <µs>
 *   ack-failed <group> <seq> <messageId> <µs> <error>
 *   error      - - - <µs> <error>
 *
 * "ready" on stdout once every consumer started.
 */
export interface FifoConsumerOptions {
  readonly endpoint: string;
  readonly topic: string;
  readonly group: string;
  readonly logPath: string;
  readonly consumers: number;
  readonly loops: number;
  readonly batch: number;
  readonly invisibleMs: number;
  readonly awaitMs: number;
  readonly failRate: number;
  readonly dropShare: number;
  readonly nackMs: number;
  /** Up to this long between processing and acking. */
  readonly ackDelayMaxMs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as FifoConsumerOptions;
const fd = openSync(options.logPath, 'a');
const micros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const oneLine = (err: unknown) => String(err instanceof Error ? err.message : err).replace(/\s+/g, ' ');
const log = (event: string, m: MessageView | undefined, ...rest: (string | number)[]) => {
  const id = m ? `${m.messageGroup ?? '-'} ${m.properties.get('seq') ?? '-'} ${m.messageId}` : '- - -';
  writeSync(fd, `${[event, id, micros(), ...rest].join(' ')}\n`);
};
process.on('unhandledRejection', (err) => log('error', undefined, oneLine(err)));
process.on('uncaughtException', (err) => log('error', undefined, oneLine(err)));

const silentClientLogger = { info() {}, warn() {}, error() {}, debug() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function handle(consumer: SimpleConsumer, m: MessageView): Promise<void> {
  log('received', m, m.deliveryAttempt ?? 0);
  if (Math.random() < options.failRate) {
    const drop = Math.random() < options.dropShare;
    log('failed', m, drop ? 'drop' : 'nack');
    if (!drop) await consumer.changeInvisibleDuration(m, options.nackMs).catch((err) => log('error', m, oneLine(err)));
    return;
  }
  log('processed', m);
  // The ack follows the processing after a moment (a real consumer's commit, a network hop): a kill can fall between.
  await sleep(Math.random() * options.ackDelayMaxMs);
  log('acking', m);
  try {
    await consumer.ack(m);
    log('acked', m);
  } catch (err) {
    log('ack-failed', m, oneLine(err));
  }
}

async function receiveLoop(consumer: SimpleConsumer): Promise<never> {
  for (;;) {
    let batch: MessageView[];
    try {
      batch = await consumer.receive(options.batch, options.invisibleMs);
    } catch (err) {
      log('error', undefined, oneLine(err));
      await sleep(200);
      continue;
    }
    // A FIFO group never has two messages of one message group in flight, so a batch's messages are independent.
    await Promise.all(batch.map((m) => handle(consumer, m)));
  }
}

const consumers = await Promise.all(
  Array.from({ length: options.consumers }, async () => {
    const consumer = new SimpleConsumer({
      endpoints: options.endpoint,
      namespace: '',
      consumerGroup: options.group,
      subscriptions: new Map([[options.topic, '*']]),
      awaitDuration: options.awaitMs,
      logger: silentClientLogger,
    });
    await consumer.startup();
    return consumer;
  }),
);
process.stdout.write('ready\n');
for (const consumer of consumers) for (let i = 0; i < options.loops; i++) void receiveLoop(consumer);
