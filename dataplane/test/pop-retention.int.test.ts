import { type TempDir, tempDir } from '@rocketry/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../src/lib/clock.js';
import { systemClock } from '../src/lib/clock.js';
import { BrokerPermission } from '../src/messaging/broker-permission.js';
import { Groups } from '../src/messaging/groups.js';
import { openConsumption } from '../src/messaging/pop/open-consumption.js';
import { retryTopicOf } from '../src/messaging/pop/retry-topics.js';
import { Topics } from '../src/messaging/topics.js';
import type { MessageStore } from '../src/storage/message-store.js';
import { type StandaloneGrpc, startStandaloneGrpc } from './support/grpc-broker.js';
import { OfficialClients } from './support/official-clients.js';
import { message, openStore, silentLog, testConfig } from './support/store.js';

const HOUR = 3600_000;
let dir: TempDir | undefined;
let store: MessageStore | undefined;
let grpc: StandaloneGrpc | undefined;
const clients = new OfficialClients(() => `127.0.0.1:${grpc?.port}`);
afterEach(async () => {
  await clients.shutdownAll();
  await grpc?.close();
  await store?.close();
  await dir?.remove();
  grpc = undefined;
  store = undefined;
  dir = undefined;
});

describe('retention and unacked pop state', () => {
  it('copies a delivered but unacked message to the group retry topic before its segment goes, and delivers it again', async () => {
    dir = await tempDir();
    const clock: Clock & { offsetMs: number } = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
    store = await openStore(testConfig(dir.path, { retention: { retentionMs: 72 * HOUR, maxDiskUsedRatio: 1 } }), {
      clock,
    });
    const topics = await Topics.open(dir.path, { autoCreate: true });
    const groups = await Groups.open(dir.path, { autoCreate: true });
    const permission = await BrokerPermission.open(dir.path);
    const pop = await openConsumption({ store, topics, groups, clock: systemClock, log: silentLog });
    grpc = await startStandaloneGrpc({ store, topics, groups, permission, shared: pop });
    const topic = 'kept-orders';
    await topics.put(topic, { messageType: 'NORMAL', queues: 1 });
    const holder = await clients.simple('holder', { [topic]: '*' });
    const bystander = await clients.simple('bystander', { [topic]: '*' });
    const producer = await clients.producer([topic]);

    const { messageId } = await producer.send({ topic, body: Buffer.from('keep me'), tag: 'T', keys: ['k1'] });
    const [held] = await holder.receive(1, 60_000);
    expect(held?.messageId).toBe(messageId);
    const [seen] = await bystander.receive(1, 60_000);
    await bystander.ack(seen as NonNullable<typeof seen>);
    // Fill past the segment, so the one holding the message is sealed; then let it age out.
    for (let n = 0; n < 80; n++) await store.append(message('filler', 0, n, { body: Buffer.alloc(20_000) }));
    await store.checkpoint();
    clock.offsetMs = 73 * HOUR;
    expect((await store.enforceRetention()).deletedSegments).toBeGreaterThan(0);
    expect(store.queueOffsets(topic, 0).min).toBe(1n); // the original is gone

    const [again] = await holder.receive(1, 60_000);
    expect(again).toMatchObject({ messageId, topic, tag: 'T', keys: ['k1'] });
    expect(again?.body.toString()).toBe('keep me');
    await expect(holder.ack(held as NonNullable<typeof held>)).rejects.toMatchObject({ code: 40013 });
    await holder.ack(again as NonNullable<typeof again>);
    expect(await holder.receive(1, 60_000)).toEqual([]);
    // Only the group that had it unacked gets the copy.
    expect(await bystander.receive(1, 60_000)).toEqual([]);
    expect(topics.get(retryTopicOf('holder', topic))).toBeDefined();
  });
});
