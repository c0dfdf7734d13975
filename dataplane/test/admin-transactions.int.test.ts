import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient } from '../src/admin-cli/admin-client.js';
import { type GrpcBroker, rawClient, serveAdmin, startBroker, unaryCall } from './support/grpc-broker.js';

let broker: GrpcBroker | undefined;
let admin: Awaited<ReturnType<typeof serveAdmin>> | undefined;
afterEach(async () => {
  await admin?.close();
  await broker?.close();
  admin = undefined;
  broker = undefined;
});

async function sendHalf(c: ReturnType<typeof rawClient>, topic: string, messageId: string): Promise<string> {
  const answer = await unaryCall<{ entries: { transaction_id: string }[] }>(c, 'SendMessage', {
    messages: [
      {
        topic: { name: topic },
        body: Buffer.from(messageId),
        system_properties: { message_id: messageId, message_type: 'TRANSACTION', queue_id: 0 },
      },
    ],
  });
  return answer.entries[0]?.transaction_id ?? '';
}

describe('admin API: unresolved transactions', () => {
  it('lists unresolved transactions per topic with the age of the oldest, and one topic on request', async () => {
    broker = await startBroker({ autoCreate: true });
    admin = await serveAdmin(broker);
    const c = rawClient(broker.endpoint);
    const client = new AdminClient({ server: admin.base });
    expect(await client.listTransactions()).toMatchObject({ ok: true, value: [] });

    await sendHalf(c, 'pay-tx', 'P1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sendHalf(c, 'pay-tx', 'P2');
    const committed = await sendHalf(c, 'orders-tx', 'O1');
    await sendHalf(c, 'orders-tx', 'O2');
    const end = await unaryCall<{ status: { code: string } }>(c, 'EndTransaction', {
      topic: { name: 'orders-tx' },
      message_id: 'O1',
      transaction_id: committed,
      resolution: 'COMMIT',
      source: 'SOURCE_CLIENT',
    });
    expect(end.status.code).toBe('OK');
    c.close();

    const all = await client.listTransactions();
    if (!all.ok) throw new Error(JSON.stringify(all.failure));
    expect(all.value.map((r) => [r.topic, r.unresolved])).toEqual([
      ['orders-tx', 1],
      ['pay-tx', 2],
    ]);
    const pay = all.value[1];
    expect(pay?.oldestAgeMs).toBeGreaterThanOrEqual(50);
    expect(Math.abs((pay?.oldestStoredAt ?? 0) + (pay?.oldestAgeMs ?? 0) - Date.now())).toBeLessThan(1000);
    expect(await client.listTransactions('orders-tx')).toMatchObject({ ok: true, value: [{ topic: 'orders-tx' }] });
    expect(await client.listTransactions('nothing-here')).toMatchObject({ ok: true, value: [] });
  });

  it('answers an illegal topic or an unknown parameter with a problem, and other methods with 405', async () => {
    broker = await startBroker({ autoCreate: true });
    admin = await serveAdmin(broker);
    const bad = await fetch(`${admin.base}/v1/transactions?topic=${encodeURIComponent('bad topic!')}`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await bad.json()).toMatchObject({ status: 400, code: 40002 });
    expect((await fetch(`${admin.base}/v1/transactions?group=g`)).status).toBe(400);
    const post = await fetch(`${admin.base}/v1/transactions`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});
