import { connect } from 'node:http2';
import { ConsumeResult } from 'rocketmq-client-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { ScenarioClients, scenarioProperties } from './scenarios/scenario-support.js';
import { type GrpcBroker, rawClient, startBroker, unaryCall } from './support/grpc-broker.js';

/**
 * The broker on both transports: the other suites run on the default node:http2 one (or on grpc-js with
 * ROCKETRY_GRPC_TRANSPORT=grpc-js), so the official clients' round trip runs here on each explicitly.
 */
let broker: GrpcBroker | undefined;
// Scenario clients: their push consumers shut down without waiting out a 20 s long poll.
const clients = new ScenarioClients(() => broker?.endpoint ?? '');
const saved = process.env.ROCKETRY_GRPC_TRANSPORT;
afterEach(async () => {
  await clients.shutdownAll();
  await broker?.close();
  broker = undefined;
  if (saved === undefined) delete process.env.ROCKETRY_GRPC_TRANSPORT;
  else process.env.ROCKETRY_GRPC_TRANSPORT = saved;
});

async function brokerOn(transport: 'h2' | 'grpc-js'): Promise<GrpcBroker> {
  process.env.ROCKETRY_GRPC_TRANSPORT = transport;
  broker = await startBroker({ autoCreate: true });
  return broker;
}

/** One raw gRPC call: `body` as the request's DATA, the answer's headers and trailers. */
function rawCall(endpoint: string, path: string, body: Buffer): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${endpoint}`);
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const seen: Record<string, string | string[] | undefined> = {};
    req.on('response', (headers) => Object.assign(seen, headers));
    req.on('trailers', (trailers) => Object.assign(seen, trailers));
    req.on('data', () => {});
    req.on('end', () => {
      session.close();
      resolve(seen);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const prefixed = (flag: number, length: number, payload = Buffer.alloc(0)) => {
  const head = Buffer.alloc(5);
  head.writeUInt8(flag, 0);
  head.writeUInt32BE(length, 1);
  return Buffer.concat([head, payload]);
};

describe.each(['h2', 'grpc-js'] as const)('gRPC on the %s transport', (transport) => {
  it('serves the official producer, simple consumer and push consumer end to end', async () => {
    await brokerOn(transport);
    const topic = `${transport}-orders`;
    const producer = await clients.producer([topic]);
    const simple = await clients.simple(`${transport}-simple`, { [topic]: '*' });
    const pushed: string[] = [];
    await clients.push(`${transport}-push`, topic, 'T', async (message) => {
      pushed.push(message.messageId);
      return ConsumeResult.SUCCESS;
    });

    const sent = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const properties = scenarioProperties('T', i);
      sent.add((await producer.send({ topic, body: Buffer.from(`m-${i}`), properties })).messageId);
    }
    const received = new Set<string>();
    const deadline = Date.now() + 10_000;
    while (received.size < sent.size && Date.now() < deadline) {
      for (const m of await simple.receive(16, 10_000)) {
        received.add(m.messageId);
        await simple.ack(m);
      }
    }
    expect(received).toEqual(sent);
    while (new Set(pushed).size < sent.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(new Set(pushed)).toEqual(sent);
  });
});

describe('gRPC on the node:http2 transport', () => {
  it('answers transport problems with gRPC statuses and keeps serving', async () => {
    const b = await brokerOn('h2');
    const base = '/apache.rocketmq.v2.MessagingService/';
    expect((await rawCall(b.endpoint, `${base}NoSuchMethod`, prefixed(0, 0)))['grpc-status']).toBe('12');
    expect((await rawCall(b.endpoint, `${base}QueryRoute`, prefixed(1, 0)))['grpc-status']).toBe('12');
    expect((await rawCall(b.endpoint, `${base}QueryRoute`, prefixed(0, 64 << 20)))['grpc-status']).toBe('8');
    expect(
      (await rawCall(b.endpoint, `${base}QueryRoute`, prefixed(0, 3, Buffer.from([0xff, 0xff, 0xff]))))['grpc-status'],
    ).toBe('13');
    const client = rawClient(b.endpoint);
    const route = await unaryCall<{ status: { code: string } }>(client, 'QueryRoute', { topic: { name: 'h2-after' } });
    client.close();
    expect(route.status.code).toBe('OK');
  });
});
