// The official RocketMQ 5 client (rocketmq-client-nodejs, a dependency of the rocketry image) inside the cluster:
//   node client.mjs produce TOPIC COUNT
//   node client.mjs consume TOPIC GROUP COUNT      (receives and acks until COUNT messages, or fails after 120 s)
//   node client.mjs subscribe TOPIC GROUP          (one receive: the group's start position becomes the topic's end)
// ROCKETRY_ENDPOINT is any broker's gRPC endpoint (run.sh: the <cluster>-brokers Service).
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const endpoints = process.env.ROCKETRY_ENDPOINT;
const [command, topic, ...rest] = process.argv.slice(2);

async function produce(count) {
  const producer = new Producer({ endpoints, namespace: '', logger: quiet });
  await producer.startup();
  for (let n = 0; n < count; n++) await producer.send({ topic, body: Buffer.from(`order ${n}`) });
  await producer.shutdown();
  console.log(`produced ${count}`);
}

async function consume(group, count, once = false) {
  const consumer = new SimpleConsumer({
    endpoints,
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    awaitDuration: 2000,
    logger: quiet,
  });
  await consumer.startup();
  let done = 0;
  const deadline = Date.now() + 120_000;
  do {
    for (const message of await consumer.receive(32, 30_000)) {
      await consumer.ack(message);
      done++;
    }
  } while (!once && done < count && Date.now() < deadline);
  await consumer.shutdown();
  console.log(`consumed ${done}`);
  if (done < count) process.exitCode = 1;
}

if (command === 'produce') await produce(Number(rest[0]));
else if (command === 'consume') await consume(rest[0], Number(rest[1]));
else if (command === 'subscribe') await consume(rest[0], 0, true);
else {
  console.error('usage: client.mjs produce TOPIC COUNT | consume TOPIC GROUP COUNT | subscribe TOPIC GROUP');
  process.exitCode = 2;
}
