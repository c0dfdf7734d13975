import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../src/storage/record-codec.js';
import { type GrpcBroker, rawClient, startBroker, unaryCall } from './support/grpc-broker.js';

/** EndTransaction from a raw gRPC client: the bad inputs and repeats the official client never sends. */
type Status = { code: string; message: string };
type SendResponse = { status: Status; entries: { status: Status; message_id: string; transaction_id: string }[] };

let broker: GrpcBroker | undefined;
let client: ReturnType<typeof rawClient> | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await broker?.close();
  broker = undefined;
});

const suffix = () => randomBytes(4).toString('hex');
const QUEUES = 2;

async function setUp() {
  broker = await startBroker({ autoCreate: false });
  client = rawClient(broker.endpoint);
  const topic = `tx-${suffix()}`;
  await broker.topics.put(topic, { messageType: 'TRANSACTION', queues: QUEUES });
  return { b: broker, c: client, topic };
}

function sendTransactional(c: ReturnType<typeof rawClient>, topic: string, messageId: string, type = 'TRANSACTION') {
  return unaryCall<SendResponse>(c, 'SendMessage', {
    messages: [
      {
        topic: { name: topic },
        body: Buffer.from(`body of ${messageId}`),
        system_properties: { message_id: messageId, message_type: type, queue_id: 0 },
      },
    ],
  });
}

function end(
  c: ReturnType<typeof rawClient>,
  request: { topic: string; messageId: string; transactionId: string; resolution?: string; source?: string },
): Promise<string> {
  return unaryCall<{ status: Status }>(c, 'EndTransaction', {
    topic: { name: request.topic },
    message_id: request.messageId,
    transaction_id: request.transactionId,
    resolution: request.resolution ?? 'COMMIT',
    source: request.source ?? 'SOURCE_CLIENT',
  }).then((r) => r.status.code);
}

async function stored(b: GrpcBroker, topic: string): Promise<StoredMessage[]> {
  const all: StoredMessage[] = [];
  for (let q = 0; q < QUEUES; q++) {
    const read = await b.store.read(topic, q, 0n, { maxCount: 100, maxBytes: 1 << 20 });
    if (read.kind === 'found') all.push(...read.messages);
  }
  return all;
}

describe('EndTransaction from a raw gRPC client', () => {
  it('answers unknown, malformed and mismatched ids with INVALID_TRANSACTION_ID and changes nothing', async () => {
    const { b, c, topic } = await setUp();
    const sent = await sendTransactional(c, topic, 'ID-A');
    const transactionId = sent.entries[0]?.transaction_id ?? '';
    expect(sent.entries[0]?.status.code).toBe('OK');
    expect(transactionId).toMatch(/^[0-9A-F]{32}$/);
    expect(await stored(b, topic)).toEqual([]);

    const unknown = randomBytes(16).toString('hex').toUpperCase();
    for (const bad of [
      unknown,
      '',
      'not-a-transaction-id',
      transactionId.toLowerCase(),
      `${transactionId}0`,
      'x'.repeat(5000),
    ]) {
      expect(await end(c, { topic, messageId: 'ID-A', transactionId: bad })).toBe('INVALID_TRANSACTION_ID');
    }
    // Another message's id or another topic with the right transaction id.
    expect(await end(c, { topic, messageId: 'ID-B', transactionId })).toBe('INVALID_TRANSACTION_ID');
    await b.topics.put(`${topic}-other`, { messageType: 'TRANSACTION', queues: 1 });
    expect(await end(c, { topic: `${topic}-other`, messageId: 'ID-A', transactionId })).toBe('INVALID_TRANSACTION_ID');
    // Not decodable as a request at all: no message id, no resolution, an illegal topic.
    expect(await end(c, { topic, messageId: '', transactionId })).toBe('ILLEGAL_MESSAGE_ID');
    expect(
      await end(c, { topic, messageId: 'ID-A', transactionId, resolution: 'TRANSACTION_RESOLUTION_UNSPECIFIED' }),
    ).toBe('BAD_REQUEST');
    expect(await end(c, { topic: 'bad topic!', messageId: 'ID-A', transactionId })).toBe('ILLEGAL_TOPIC');
    expect(await stored(b, topic)).toEqual([]);
    expect(b.server.transactions.unresolvedByTopic()).toMatchObject([{ topic, unresolved: 1 }]);

    // The transaction is still whole: the right request commits it.
    expect(await end(c, { topic, messageId: 'ID-A', transactionId })).toBe('OK');
    expect((await stored(b, topic)).map((m) => [m.messageId, m.body.toString()])).toEqual([['ID-A', 'body of ID-A']]);
  });

  it('answers a second commit and a rollback after a commit with INVALID_TRANSACTION_ID and stores nothing more', async () => {
    const { b, c, topic } = await setUp();
    const transactionId = (await sendTransactional(c, topic, 'ID-C')).entries[0]?.transaction_id ?? '';
    expect(await end(c, { topic, messageId: 'ID-C', transactionId })).toBe('OK');
    expect(await end(c, { topic, messageId: 'ID-C', transactionId })).toBe('INVALID_TRANSACTION_ID');
    expect(await end(c, { topic, messageId: 'ID-C', transactionId, resolution: 'ROLLBACK' })).toBe(
      'INVALID_TRANSACTION_ID',
    );
    expect(await end(c, { topic, messageId: 'ID-C', transactionId, source: 'SOURCE_SERVER_CHECK' })).toBe(
      'INVALID_TRANSACTION_ID',
    );
    expect((await stored(b, topic)).map((m) => m.messageId)).toEqual(['ID-C']);
    expect(b.server.transactions.unresolvedByTopic()).toEqual([]);
  });

  it('answers a commit after a rollback, and concurrent commits, with one success and INVALID_TRANSACTION_ID', async () => {
    const { b, c, topic } = await setUp();
    const rolledBack = (await sendTransactional(c, topic, 'ID-R')).entries[0]?.transaction_id ?? '';
    expect(await end(c, { topic, messageId: 'ID-R', transactionId: rolledBack, resolution: 'ROLLBACK' })).toBe('OK');
    expect(await end(c, { topic, messageId: 'ID-R', transactionId: rolledBack })).toBe('INVALID_TRANSACTION_ID');
    expect(await end(c, { topic, messageId: 'ID-R', transactionId: rolledBack, resolution: 'ROLLBACK' })).toBe(
      'INVALID_TRANSACTION_ID',
    );
    expect(await stored(b, topic)).toEqual([]);

    const raced = (await sendTransactional(c, topic, 'ID-X')).entries[0]?.transaction_id ?? '';
    const answers = await Promise.all(
      ['COMMIT', 'COMMIT', 'ROLLBACK', 'COMMIT'].map((resolution) =>
        end(c, { topic, messageId: 'ID-X', transactionId: raced, resolution }),
      ),
    );
    expect(answers).toEqual(['OK', 'INVALID_TRANSACTION_ID', 'INVALID_TRANSACTION_ID', 'INVALID_TRANSACTION_ID']);
    expect((await stored(b, topic)).map((m) => m.messageId)).toEqual(['ID-X']);
  });

  it('refuses a TRANSACTION message on a NORMAL topic with 40014 and a NORMAL one on a TRANSACTION topic too', async () => {
    const { b, c, topic } = await setUp();
    const normal = `normal-${suffix()}`;
    await b.topics.put(normal, { messageType: 'NORMAL', queues: 1 });
    const onNormal = await sendTransactional(c, normal, 'ID-N');
    expect(onNormal.entries.map((e) => [e.status.code, e.transaction_id])).toEqual([
      ['MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', ''],
    ]);
    expect((await sendTransactional(c, topic, 'ID-M', 'NORMAL')).entries[0]?.status.code).toBe(
      'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE',
    );
    expect(b.server.transactions.unresolvedByTopic()).toEqual([]);
  });
});
