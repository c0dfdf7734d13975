import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientSessionInfo } from '../src/protocol/grpc/client-sessions.js';
import { type GrpcBroker, serveAdmin, startBroker } from './support/grpc-broker.js';
import { OfficialClients } from './support/official-clients.js';

let broker: GrpcBroker | undefined;
let adminServer: { close(): Promise<void> } | undefined;
const clients = new OfficialClients(() => broker?.endpoint ?? '');
afterEach(async () => {
  await clients.shutdownAll();
  await adminServer?.close();
  adminServer = undefined;
  await broker?.close();
  broker = undefined;
});

const post = async (url: string, body?: unknown) => {
  const response = await fetch(url, {
    method: 'POST',
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('broker commands to clients over Telemetry', () => {
  it('lists connected clients and gets their stack trace, verify answer and reconnect, matched by nonce', async () => {
    broker = await startBroker({ autoCreate: true });
    const served = await serveAdmin(broker);
    adminServer = served;
    const admin = served.base;
    const topic = 'cmd-orders';
    const producer = await clients.producer([topic]);
    const consumer = await clients.simple('cmd-group', { [topic]: '*' });

    const list = async () =>
      ((await (await fetch(`${admin}/v1/clients`)).json()) as { clients: ClientSessionInfo[] }).clients;
    const connected = await list();
    const producerInfo = connected.find((c) => c.clientId === producer.clientId);
    const consumerInfo = connected.find((c) => c.clientId === consumer.clientId);
    expect(producerInfo).toMatchObject({ clientType: 'PRODUCER', group: '', topics: [topic], version: '1.0.8' });
    expect(consumerInfo).toMatchObject({ clientType: 'SIMPLE_CONSUMER', group: 'cmd-group', topics: [topic] });

    // The Node client answers with the literal text `mock stack` (PROTOCOL.md §4.1).
    const stack = await post(`${admin}/v1/clients/${encodeURIComponent(producer.clientId)}:printStackTrace`);
    expect(stack).toEqual({
      status: 200,
      body: { clientId: producer.clientId, status: { code: 20000, message: '' }, stackTrace: 'mock stack' },
    });

    const { messageId } = await producer.send({ topic, body: Buffer.from('verify me') });
    const verify = await post(`${admin}/v1/clients/${encodeURIComponent(consumer.clientId)}:verifyMessage`, {
      topic,
      messageId,
    });
    // 1.0.8 does not implement verification and says so, with the nonce in the verify_message_command slot.
    expect(verify.status).toBe(200);
    expect((verify.body.status as { code: number }).code).toBe(50100);

    const reconnect = await post(`${admin}/v1/clients/${encodeURIComponent(consumer.clientId)}:reconnect`);
    expect(reconnect.status).toBe(202);
    // The client half-closes, opens a new stream and sends its Settings again: a newer session.
    const deadline = Date.now() + 5000;
    let again: ClientSessionInfo | undefined;
    while (Date.now() < deadline) {
      again = (await list()).find((c) => c.clientId === consumer.clientId);
      if (again && again.connectedAt > (consumerInfo?.connectedAt ?? 0)) break;
      await sleep(50);
    }
    expect(again?.connectedAt).toBeGreaterThan(consumerInfo?.connectedAt ?? 0);

    const unknown = await post(`${admin}/v1/clients/nobody:printStackTrace`);
    expect(unknown.status).toBe(404);
    const missing = await post(`${admin}/v1/clients/${encodeURIComponent(consumer.clientId)}:verifyMessage`, {
      topic,
      messageId: 'NO-SUCH-ID',
    });
    expect(missing.status).toBe(404);
  });
});
