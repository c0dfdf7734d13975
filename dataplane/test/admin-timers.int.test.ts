import { afterEach, describe, expect, it } from 'vitest';
import { openApiDocument } from '../src/admin/openapi.js';
import { AdminClient } from '../src/admin-cli/admin-client.js';
import { type GrpcBroker, serveAdmin, startBroker } from './support/grpc-broker.js';
import { OfficialClients } from './support/official-clients.js';

let broker: GrpcBroker | undefined;
let admin: Awaited<ReturnType<typeof serveAdmin>> | undefined;
const clients = new OfficialClients(() => (broker as GrpcBroker).endpoint);
afterEach(async () => {
  await clients.shutdownAll();
  await admin?.close();
  await broker?.close();
  admin = undefined;
  broker = undefined;
});

describe('admin API: pending timers', () => {
  it('lists pending DELAY messages per topic with the exact next due time, in memory or on disk, and one topic on request', async () => {
    broker = await startBroker({ autoCreate: true });
    admin = await serveAdmin(broker);
    const client = new AdminClient({ server: admin.base });
    expect(await client.listTimers()).toMatchObject({ ok: true, value: [] });

    const producer = await clients.producer(['soon-delay', 'later-delay']);
    const now = Date.now();
    const soonAt = now + 15_000;
    await producer.send({ topic: 'soon-delay', body: Buffer.from('a'), deliveryTimestamp: new Date(soonAt) });
    const recalled = await producer.send({ topic: 'soon-delay', body: Buffer.from('b'), delay: 12_000 });
    await producer.send({ topic: 'soon-delay', body: Buffer.from('c'), delay: 3_600_000 });
    // Far beyond the in-memory window: answered from its bucket file.
    const laterAt = now + 7 * 24 * 3600_000 + 123;
    await producer.send({ topic: 'later-delay', body: Buffer.from('d'), deliveryTimestamp: new Date(laterAt) });
    await producer.send({
      topic: 'later-delay',
      body: Buffer.from('e'),
      deliveryTimestamp: new Date(laterAt + 60_000),
    });
    await producer.recallMessage('soon-delay', recalled.recallHandle);

    const all = await client.listTimers();
    if (!all.ok) throw new Error(JSON.stringify(all.failure));
    expect(all.value.map((r) => [r.topic, r.pending, r.nextDueAt])).toEqual([
      ['later-delay', 2, laterAt],
      ['soon-delay', 2, soonAt],
    ]);
    expect(all.value[1]?.nextDueInMs).toBeGreaterThan(10_000);
    expect(await client.listTimers('later-delay')).toMatchObject({ ok: true, value: [{ topic: 'later-delay' }] });
    expect(await client.listTimers('nothing-here')).toMatchObject({ ok: true, value: [] });
    expect(broker.server.timers.pending).toBe(4);
  });

  it('answers an illegal topic or an unknown parameter with a problem, and other methods with 405', async () => {
    broker = await startBroker({ autoCreate: true });
    admin = await serveAdmin(broker);
    const bad = await fetch(`${admin.base}/v1/timers?topic=${encodeURIComponent('bad topic!')}`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await bad.json()).toMatchObject({ status: 400, code: 40002 });
    expect((await fetch(`${admin.base}/v1/timers?group=g`)).status).toBe(400);
    const post = await fetch(`${admin.base}/v1/timers`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect(Object.keys(openApiDocument.paths)).toContain('/v1/timers');
  });
});
