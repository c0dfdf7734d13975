import { NotFoundException } from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DEFAULT_GROUP_CONFIG } from '../../src/messaging/groups.js';
import type { GrpcBroker } from '../support/grpc-broker.js';
import {
  clientsOf,
  codesInCauseChain,
  groupName,
  scenarioProperties,
  startScenarioBroker,
  topicName,
  within,
} from './scenario-support.js';

/** SCENARIOS.md group E: error mapping, on a provisioned broker (no auto-create). */
let broker: GrpcBroker;
beforeAll(async () => {
  broker = await startScenarioBroker({ autoCreate: false });
});
afterAll(() => broker.close());
const endpoint = () => broker.endpoint;

const NOT_FOUND = [40400, 40402];
const ILLEGAL_TOPIC = 40002;
const BAD_REQUEST = 40000;
const MESSAGE_PROPERTY_CONFLICT_WITH_TYPE = 40014;

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (err: unknown) => err ?? new Error('rejected without a reason'),
  );

describe.concurrent('E: error mapping with the official client', () => {
  it('E01: a send to a missing topic rejects with NotFoundException, and a consumer on it fails start-up within 15 s', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('E01');
    const producer = await clients.producer();
    const sent = await failureOf(
      producer.send({ topic, body: Buffer.from('e01'), properties: scenarioProperties('E01', 0) }),
    );
    expect(sent).toBeInstanceOf(NotFoundException);
    expect(NOT_FOUND).toContain((sent as NotFoundException).code);

    const group = groupName('E01');
    await broker.groups.put(group, DEFAULT_GROUP_CONFIG); // the group exists: only the topic is missing
    const consumer = clients.newSimple(group, { [topic]: '*' });
    const startup = await within(15_000, failureOf(consumer.startup()));
    expect(startup).not.toBe('timed out');
    expect(startup, 'start-up succeeded').toBeDefined();
    expect(codesInCauseChain(startup).some((c) => NOT_FOUND.includes(c))).toBe(true);
  });

  it('E02: a send to the illegal topic name `cf illegal topic!` rejects with ILLEGAL_TOPIC', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const producer = await clients.producer();
    const sent = await failureOf(
      producer.send({ topic: 'cf illegal topic!', body: Buffer.from('e02'), properties: scenarioProperties('E02', 0) }),
    );
    expect(sent, 'the send succeeded').toBeDefined();
    const codes = codesInCauseChain(sent);
    expect(
      codes.some((c) => c === ILLEGAL_TOPIC || c === BAD_REQUEST),
      `codes: ${codes.join(', ')}`,
    ).toBe(true);
  });

  it('E03: a NORMAL message to a FIFO topic is refused, by the client (TypeError) or the broker (40014)', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('E03', 'fifo');
    await broker.topics.put(topic, { queues: 4, messageType: 'FIFO' });
    const producer = await clients.producer([topic]);
    const sent = await failureOf(
      producer.send({ topic, body: Buffer.from('e03'), properties: scenarioProperties('E03', 0) }),
    );
    expect(sent, 'the send succeeded').toBeDefined();
    const refused = sent instanceof TypeError || codesInCauseChain(sent).includes(MESSAGE_PROPERTY_CONFLICT_WITH_TYPE);
    expect(refused, String(sent)).toBe(true);
    for (let queueId = 0; queueId < 4; queueId++) {
      const stored = await broker.store.read(topic, queueId, 0n, { maxCount: 10, maxBytes: 1 << 20 });
      expect(stored.kind, `queue ${queueId}`).not.toBe('found');
    }
  });
});
