import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerAdminError } from '../src/broker-admin/broker-admin.js';
import { HttpBrokerAdmin } from '../src/broker-admin/http-broker-admin.js';
import { type RealBroker, startRealBroker } from './support/real-broker.js';

// Contract of the real HTTP BrokerAdmin against a real `rocketry broker` process.
let broker: RealBroker;
let admin: HttpBrokerAdmin;
beforeAll(async () => {
  broker = await startRealBroker('contract', 'contract-token-0123456789');
  admin = new HttpBrokerAdmin(broker.admin, broker.token);
});
afterAll(async () => {
  await broker?.stop();
});

describe('HttpBrokerAdmin against a real broker', () => {
  it('reports health and readiness, and refuses a wrong token with 401', async () => {
    expect(await admin.healthy()).toBe(true);
    expect(await admin.ready()).toBe(true);
    const wrong = new HttpBrokerAdmin(broker.admin, 'wrong-token-0123456789');
    await expect(wrong.listTopics()).rejects.toMatchObject({ status: 401 });
    expect(await new HttpBrokerAdmin('http://127.0.0.1:1', undefined, { timeoutMs: 500 }).healthy()).toBe(false);
  });

  it('creates, raises, reads, lists and deletes a topic; lowering queues is a 409', async () => {
    expect(await admin.getTopic('orders')).toBeUndefined();
    expect((await admin.putTopic('orders', { messageType: 'NORMAL', queues: 2 })).kind).toBe('created');
    const raised = await admin.putTopic('orders', { messageType: 'NORMAL', queues: 4 });
    expect(raised).toMatchObject({ kind: 'updated', value: { name: 'orders', queues: 4 } });
    expect((await admin.getTopic('orders'))?.queueOffsets).toHaveLength(4);
    expect((await admin.listTopics()).map((t) => t.name)).toContain('orders');
    const lowered = admin.putTopic('orders', { messageType: 'NORMAL', queues: 1 });
    await expect(lowered).rejects.toBeInstanceOf(BrokerAdminError);
    await expect(lowered).rejects.toMatchObject({ status: 409 });
    const deleted = await admin.deleteTopic('orders').catch((err: BrokerAdminError) => err.status);
    expect([true, 501]).toContain(deleted);
  });

  it('creates, reads, lists and deletes a consumer group, and reads its lag', async () => {
    expect(await admin.getGroup('billing')).toBeUndefined();
    expect(await admin.groupLag('billing')).toBeUndefined();
    const created = await admin.putGroup('billing', { maxDeliveryAttempts: 5 });
    expect(created).toMatchObject({ kind: 'created', value: { name: 'billing', fifo: false, maxDeliveryAttempts: 5 } });
    expect((await admin.listGroups()).map((g) => g.name)).toContain('billing');
    expect(await admin.groupLag('billing')).toMatchObject({ group: 'billing', ready: 0, inflight: 0 });
    expect(await admin.deleteGroup('billing')).toBe(true);
    expect(await admin.deleteGroup('billing')).toBe(false);
  });

  it('turns writes off and on', async () => {
    expect(await admin.getPermission()).toEqual({ write: true });
    expect(await admin.setPermission(false)).toEqual({ write: false });
    expect(await admin.getPermission()).toEqual({ write: false });
    expect(await admin.setPermission(true)).toEqual({ write: true });
  });
});
