import type { Server } from 'node:http';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { type TempDir, tempDir } from '@rocketry/testkit';
import type { Express } from 'express';
import { Gauge, Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdminApp } from '../src/admin/app.js';
import type { TopicRegistry } from '../src/admin/deps.js';
import { openApiDocument } from '../src/admin/openapi.js';
import { systemClock } from '../src/lib/clock.js';
import { BrokerPermission } from '../src/messaging/broker-permission.js';
import { Groups } from '../src/messaging/groups.js';
import type { Consumption } from '../src/messaging/pop/consumption.js';
import { openConsumption } from '../src/messaging/pop/open-consumption.js';
import { Topics } from '../src/messaging/topics.js';
import { ClientSessions } from '../src/protocol/grpc/client-sessions.js';
import type { MessageStore } from '../src/storage/message-store.js';
import { clientMetadata, rawClient, startStandaloneGrpc } from './support/grpc-broker.js';
import { message, openStore, silentLog, testConfig } from './support/store.js';

let dir: TempDir;
let store: MessageStore;
let topics: Topics;
let groups: Groups;
let permission: BrokerPermission;
let consumption: Consumption;
let pop: Awaited<ReturnType<typeof openConsumption>>;
let server: Server | undefined;
let base: string;

beforeEach(async () => {
  dir = await tempDir();
  store = await openStore(testConfig(dir.path));
  topics = await Topics.open(dir.path, { autoCreate: false });
  groups = await Groups.open(dir.path, { autoCreate: false });
  permission = await BrokerPermission.open(dir.path);
  pop = await openConsumption({ store, topics, groups, clock: systemClock, log: silentLog });
  consumption = pop.consumption;
});
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((done) => s.close(() => done()));
  await consumption.close();
  await store.close();
  await dir.remove();
});

async function serve(options: { adminToken?: string; topics?: TopicRegistry; ready?: boolean } = {}): Promise<void> {
  const app = createAdminApp({
    registry: new Registry(),
    log: silentLog,
    isReady: () => options.ready ?? true,
    store,
    consumption,
    sessions: new ClientSessions(),
    topics: options.topics ?? topics,
    groups,
    permission,
    ...(options.adminToken && { adminToken: options.adminToken }),
  });
  await listenOn(app);
}

async function listenOn(app: Express): Promise<void> {
  const s = app.listen(0, '127.0.0.1');
  server = s;
  await new Promise<void>((resolve, reject) => s.once('listening', resolve).once('error', reject));
  const address = s.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
}

type Answer<T = unknown> = { status: number; type: string; body: T; headers: Headers };

async function call<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    type,
    body: (type.includes('json') && text ? JSON.parse(text) : text) as T,
    headers: res.headers,
  };
}

type MessagesAnswer = { messages: { messageId: string; body: string }[] };
type OpenApiSchemas = {
  components: {
    schemas: {
      TopicSpec: { required: string[]; additionalProperties: unknown; properties: Record<string, unknown> };
      GroupSpec: { additionalProperties: unknown; properties: Record<string, unknown> };
    };
  };
};

function expectProblem(answer: Answer, status: number, code: number): void {
  expect(answer.status).toBe(status);
  expect(answer.type).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ type: 'about:blank', status, code });
  const body = answer.body as Record<string, unknown>;
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
}

describe('admin API: health', () => {
  it('answers /healthz always and /readyz 503 until the broker is ready', async () => {
    await serve({ ready: false });
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call('GET', '/readyz')).toMatchObject({ status: 503, body: { status: 'starting' } });
  });

  it('serves Prometheus text at /metrics', async () => {
    await serve();
    const answer = await call('GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^text\/plain/);
  });

  it('answers an unknown path with a 404 problem and a wrong method with a 405 problem naming the allowed ones', async () => {
    await serve();
    expectProblem(await call('GET', '/nope'), 404, 40400);
    const wrong = await call('POST', '/healthz');
    expectProblem(wrong, 405, 40500);
    expect(wrong.headers.get('allow')).toBe('GET');
  });
  it('answers an unexpected failure with a 500 problem that hides the internals', async () => {
    const registry = new Registry();
    new Gauge({
      name: 'broken',
      help: 'throws when collected',
      registers: [registry],
      collect() {
        throw new Error('secret internals');
      },
    });
    const app = createAdminApp({ registry, log: silentLog, isReady: () => true });
    await listenOn(app);
    const answer = await call('GET', '/metrics');
    expectProblem(answer, 500, 50001);
    expect(answer.body).toMatchObject({ detail: 'internal error' });
  });

  it('serves only health, readiness and metrics when built without a store and topics', async () => {
    await listenOn(createAdminApp({ registry: new Registry(), log: silentLog, isReady: () => true }));
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/metrics')).status).toBe(200);
    expectProblem(await call('GET', '/v1/topics'), 404, 40400);
  });
});

describe('admin API: topics', () => {
  it('creates a topic, lists it, adds queues and reports per-queue offsets from the store', async () => {
    await serve();
    const created = await call('PUT', '/v1/topics/orders', { messageType: 'NORMAL', queues: 2 });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/topics/orders');
    expect(created.body).toEqual({
      name: 'orders',
      messageType: 'NORMAL',
      queues: 2,
      acceptMessageTypes: ['NORMAL'],
      queueOffsets: [
        { queueId: 0, minOffset: '0', maxOffset: '0' },
        { queueId: 1, minOffset: '0', maxOffset: '0' },
      ],
    });
    for (let n = 0; n < 5; n++) await store.append(message('orders', 1, n));
    const grown = await call<{ queueOffsets: unknown }>('PUT', '/v1/topics/orders', {
      messageType: 'NORMAL',
      queues: 3,
    });
    expect(grown.status).toBe(200);
    expect(grown.body.queueOffsets).toEqual([
      { queueId: 0, minOffset: '0', maxOffset: '0' },
      { queueId: 1, minOffset: '0', maxOffset: '5' },
      { queueId: 2, minOffset: '0', maxOffset: '0' },
    ]);
    expect((await call('GET', '/v1/topics/orders')).body).toEqual(grown.body);
    await call('PUT', '/v1/topics/audit', { messageType: 'FIFO', queues: 1 });
    expect((await call('GET', '/v1/topics')).body).toEqual({
      topics: [
        { name: 'audit', messageType: 'FIFO', queues: 1, acceptMessageTypes: ['FIFO'] },
        { name: 'orders', messageType: 'NORMAL', queues: 3, acceptMessageTypes: ['NORMAL'] },
      ],
    });
    expect(topics.get('orders')).toEqual({ messageType: 'NORMAL', queues: 3 });
  });

  it('rejects removing queues or changing the message type with a 409 problem and keeps the topic as it was', async () => {
    await serve();
    await call('PUT', '/v1/topics/orders', { messageType: 'NORMAL', queues: 4 });
    expectProblem(await call('PUT', '/v1/topics/orders', { messageType: 'NORMAL', queues: 3 }), 409, 40900);
    expectProblem(await call('PUT', '/v1/topics/orders', { messageType: 'FIFO', queues: 4 }), 409, 40900);
    expect(topics.get('orders')).toEqual({ messageType: 'NORMAL', queues: 4 });
  });

  it('answers a 404 problem with TOPIC_NOT_FOUND for a topic that does not exist', async () => {
    await serve();
    expectProblem(await call('GET', '/v1/topics/missing'), 404, 40402);
  });

  it('deletes a topic, then answers 404 for it', async () => {
    await serve();
    await call('PUT', '/v1/topics/orders', { messageType: 'DELAY', queues: 1 });
    expect((await call('DELETE', '/v1/topics/orders')).status).toBe(204);
    expect(topics.get('orders')).toBeUndefined();
    expectProblem(await call('GET', '/v1/topics/orders'), 404, 40402);
    expectProblem(await call('DELETE', '/v1/topics/orders'), 404, 40402);
  });
});

describe('admin API: bad input', () => {
  it.each([
    ['malformed JSON', '{"messageType": "NORMAL", "queues": ', 40000],
    ['an unknown field', { messageType: 'NORMAL', queues: 1, replicas: 3 }, 40000],
    ['queues as a string', { messageType: 'NORMAL', queues: '8' }, 40000],
    ['a fractional queue count', { messageType: 'NORMAL', queues: 1.5 }, 40000],
    ['zero queues', { messageType: 'NORMAL', queues: 0 }, 40000],
    ['an unknown message type', { messageType: 'BROADCAST', queues: 1 }, 40000],
    ['a missing message type', { queues: 1 }, 40000],
    ['a JSON array', [], 40000],
    ['a JSON string', '"NORMAL"', 40000],
  ])('rejects a topic body with %s as a 400 problem', async (_what, body, code) => {
    await serve();
    expectProblem(await call('PUT', '/v1/topics/orders', body), 400, code);
    expect(topics.get('orders')).toBeUndefined();
  });

  it('points at the offending field of the body', async () => {
    await serve();
    const answer = await call<{ errors: unknown }>('PUT', '/v1/topics/orders', { messageType: 'NORMAL', queues: 'x' });
    expect(answer.body.errors).toEqual([{ pointer: '#/queues', detail: expect.any(String) }]);
  });

  it('rejects an illegal topic name with a 400 ILLEGAL_TOPIC problem', async () => {
    await serve();
    expectProblem(await call('PUT', '/v1/topics/a.b', { messageType: 'NORMAL', queues: 1 }), 400, 40002);
    expectProblem(await call('GET', `/v1/topics/${'x'.repeat(200)}`), 400, 40002);
    expectProblem(await call('GET', '/v1/messages?topic=a%20b&key=k'), 400, 40002);
  });

  it('rejects a body that is not JSON with a 415 problem', async () => {
    await serve();
    const answer = await call('PUT', '/v1/topics/orders', 'queues=1', { 'content-type': 'text/plain' });
    expectProblem(answer, 415, 41500);
  });

  it('rejects a body over 64 KiB with a 413 problem', async () => {
    await serve();
    const answer = await call('PUT', '/v1/topics/orders', {
      messageType: 'NORMAL',
      queues: 1,
      pad: 'x'.repeat(70_000),
    });
    expectProblem(answer, 413, 41300);
  });

  it('rejects missing, repeated or unknown query parameters with a 400 problem', async () => {
    await serve();
    expectProblem(await call('GET', '/v1/messages?key=k'), 400, 40000);
    expectProblem(await call('GET', '/v1/messages?topic=t&key=a&key=b'), 400, 40000);
    expectProblem(await call('GET', '/v1/messages/abc?topic=t&x=1'), 400, 40000);
    expect((await call<{ errors: unknown }>('GET', '/v1/messages?key=k')).body.errors).toEqual([
      { parameter: 'topic', detail: expect.any(String) },
    ]);
  });

  it('rejects a malformed percent-encoding in the path with a 400 problem', async () => {
    await serve();
    expectProblem(await call('GET', '/v1/topics/%E0%A4%A'), 400, 40000);
  });
});

describe('admin API: groups', () => {
  const defaults = {
    fifo: false,
    maxDeliveryAttempts: 17,
    retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
  };

  it('creates a group with the defaults, lists it, updates it and keeps it in the registry', async () => {
    await serve();
    const created = await call('PUT', '/v1/groups/billing', {});
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/groups/billing');
    expect(created.body).toEqual({ name: 'billing', ...defaults, deadLetterTopic: '%DLQ%billing' });
    const policy = { type: 'exponential', initialMs: 5000, maxMs: 60_000, multiplier: 3 };
    const updated = await call('PUT', '/v1/groups/billing', {
      fifo: false,
      maxDeliveryAttempts: 4,
      retryPolicy: policy,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({
      name: 'billing',
      fifo: false,
      maxDeliveryAttempts: 4,
      retryPolicy: policy,
      deadLetterTopic: '%DLQ%billing',
    });
    expect((await call('GET', '/v1/groups/billing')).body).toEqual(updated.body);
    await call('PUT', '/v1/groups/audit', { fifo: true, retryPolicy: { maxMs: 20_000 } });
    expect((await call('GET', '/v1/groups')).body).toEqual({
      groups: [
        {
          name: 'audit',
          ...defaults,
          fifo: true,
          retryPolicy: { ...defaults.retryPolicy, maxMs: 20_000 },
          deadLetterTopic: '%DLQ%audit',
        },
        updated.body,
      ],
    });
    expect(groups.get('billing')).toEqual({ fifo: false, maxDeliveryAttempts: 4, retryPolicy: policy });
  });

  it('rejects changing whether a group is FIFO with a 409 problem and keeps the group as it was', async () => {
    await serve();
    await call('PUT', '/v1/groups/orders', { fifo: true, maxDeliveryAttempts: 3 });
    expectProblem(await call('PUT', '/v1/groups/orders', { fifo: false, maxDeliveryAttempts: 3 }), 409, 40900);
    expectProblem(await call('PUT', '/v1/groups/orders', {}), 409, 40900);
    expect(groups.get('orders')).toMatchObject({ fifo: true, maxDeliveryAttempts: 3 });
  });

  it('answers 404 CONSUMER_GROUP_NOT_FOUND for a group that does not exist, and after deleting one', async () => {
    await serve();
    expectProblem(await call('GET', '/v1/groups/missing'), 404, 40403);
    await call('PUT', '/v1/groups/orders', {});
    expect((await call('DELETE', '/v1/groups/orders')).status).toBe(204);
    expect(groups.get('orders')).toBeUndefined();
    expectProblem(await call('GET', '/v1/groups/orders'), 404, 40403);
    expectProblem(await call('DELETE', '/v1/groups/orders'), 404, 40403);
    expectProblem(await call('POST', '/v1/groups/orders', {}), 405, 40500);
  });

  it.each([
    ['attempts of 0', { maxDeliveryAttempts: 0 }, '#/maxDeliveryAttempts'],
    ['attempts over 1000', { maxDeliveryAttempts: 1001 }, '#/maxDeliveryAttempts'],
    ['attempts as a string', { maxDeliveryAttempts: '17' }, '#/maxDeliveryAttempts'],
    ['fifo as a string', { fifo: 'yes' }, '#/fifo'],
    ['an unknown field', { retries: 16 }, '#/'],
    ['a backoff that is not whole seconds', { retryPolicy: { initialMs: 1500 } }, '#/retryPolicy/initialMs'],
    ['a backoff under 1 s', { retryPolicy: { initialMs: 0 } }, '#/retryPolicy/initialMs'],
    ['a max backoff over 2 h', { retryPolicy: { maxMs: 3 * 3600_000 } }, '#/retryPolicy/maxMs'],
    ['a max below the initial backoff', { retryPolicy: { initialMs: 20_000 } }, '#/retryPolicy/maxMs'],
    ['a multiplier below 1', { retryPolicy: { multiplier: 0.5 } }, '#/retryPolicy/multiplier'],
    ['a non-exponential policy', { retryPolicy: { type: 'fixed' } }, '#/retryPolicy/type'],
    ['an unknown policy field', { retryPolicy: { jitter: true } }, '#/retryPolicy'],
  ])('rejects a group body with %s as a 400 problem pointing at it', async (_what, body, pointer) => {
    await serve();
    const answer = await call<{ errors: { pointer: string }[] }>('PUT', '/v1/groups/orders', body);
    expectProblem(answer, 400, 40000);
    expect(answer.body.errors[0]?.pointer).toBe(pointer);
    expect(groups.get('orders')).toBeUndefined();
  });

  it('rejects illegal and reserved group names with a 400 ILLEGAL_CONSUMER_GROUP problem', async () => {
    await serve();
    for (const name of ['a.b', '%25DLQ%25orders', '%25RETRY%25orders', 'CID_RMQ_SYS_x', 'x'.repeat(256)]) {
      expectProblem(await call('PUT', `/v1/groups/${name}`, {}), 400, 40003);
    }
    expectProblem(await call('GET', '/v1/groups/a%20b'), 400, 40003);
    expect(groups.list()).toEqual([]);
  });

  it('rejects a group body that is not JSON with a 415 problem', async () => {
    await serve();
    expectProblem(await call('PUT', '/v1/groups/orders', 'fifo=1', { 'content-type': 'text/plain' }), 415, 41500);
  });
});

describe('admin API: broker permission', () => {
  it('turns writes off and on, persists the setting, and rejects a body that is not {write: boolean}', async () => {
    await serve();
    expect((await call('GET', '/v1/broker/permission')).body).toEqual({ write: true });
    expect((await call('PUT', '/v1/broker/permission', { write: false })).body).toEqual({ write: false });
    expect((await BrokerPermission.open(dir.path)).writable).toBe(false);
    expectProblem(await call('PUT', '/v1/broker/permission', { write: 'no' }), 400, 40000);
    expectProblem(await call('PUT', '/v1/broker/permission', { write: true, extra: 1 }), 400, 40000);
    expect((await call('PUT', '/v1/broker/permission', { write: true })).body).toEqual({ write: true });
  });
});

describe('admin API: groups reach consumers in Settings', () => {
  type Reply = { status?: { code: string }; settings?: Record<string, unknown> };

  async function settingsOf(group: string): Promise<{ reply: Reply; writable: boolean }> {
    const grpc = await startStandaloneGrpc({
      store,
      topics,
      groups,
      permission,
      settingsRepeatMs: 60_000,
      shared: pop,
    });
    const client = rawClient(`127.0.0.1:${grpc.port}`);
    try {
      const call = (client.Telemetry as (md: unknown) => ClientDuplexStream<unknown, Reply>)(clientMetadata());
      const reply = new Promise<Reply>((resolve) => call.once('data', resolve));
      call.on('error', () => {});
      call.write({ settings: { client_type: 'PUSH_CONSUMER', subscription: { group: { name: group } } } });
      const answer = { reply: await reply, writable: call.writable };
      call.end();
      return answer;
    } finally {
      client.close();
      await grpc.close();
    }
  }

  it('gives a push consumer of a FIFO group with 5 attempts fifo and max_attempts 5', async () => {
    await serve();
    const put = await call('PUT', '/v1/groups/orderly', {
      fifo: true,
      maxDeliveryAttempts: 5,
      retryPolicy: { initialMs: 2000, maxMs: 30_000, multiplier: 3 },
    });
    expect(put.status).toBe(201);
    const { reply } = await settingsOf('orderly');
    expect(reply).toMatchObject({
      status: { code: 'OK' },
      settings: {
        subscription: { group: { name: 'orderly' }, fifo: true, receive_batch_size: 32 },
        backoff_policy: {
          max_attempts: 5,
          exponential_backoff: { initial: { seconds: '2' }, max: { seconds: '30' }, multiplier: 3 },
        },
      },
    });
  });

  it('rejects a push consumer of an unknown group in-band with CONSUMER_GROUP_NOT_FOUND and keeps the stream', async () => {
    const { reply, writable } = await settingsOf('nobody');
    expect(reply.status?.code).toBe('CONSUMER_GROUP_NOT_FOUND');
    expect(reply.settings).toBeUndefined();
    expect(writable).toBe(true);
    expect(groups.get('nobody')).toBeUndefined();
  });

  it('creates an unknown group with the defaults when auto-create is on', async () => {
    groups = await Groups.open(dir.path, { autoCreate: true });
    const { reply } = await settingsOf('fresh');
    expect(reply.settings).toMatchObject({
      subscription: { fifo: false },
      backoff_policy: { max_attempts: 17 },
    });
    expect(groups.get('fresh')).toEqual({
      fifo: false,
      maxDeliveryAttempts: 17,
      retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
    });
  });
});

describe('admin API: messages', () => {
  it('returns the exact stored message by id and every message with a key, newest first', async () => {
    await serve();
    const receipts = [];
    for (let n = 0; n < 4; n++) {
      receipts.push(await store.append(message('orders', n % 2, n, { keys: ['shared', `key-${n}`] })));
    }
    const byId = await call('GET', '/v1/messages/id-orders-1-3?topic=orders');
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual({
      topic: 'orders',
      queueId: 1,
      queueOffset: '1',
      physicalOffset: String(receipts[3]?.physicalOffset),
      messageId: 'id-orders-1-3',
      tag: 'odd',
      keys: ['shared', 'key-3'],
      properties: { n: '3' },
      bornHost: '',
      bornTimestamp: 1_700_000_000_003,
      storeTimestamp: receipts[3]?.storeTimestamp,
      bodySize: Buffer.byteLength('body orders 1 3'),
      body: Buffer.from('body orders 1 3').toString('base64'),
    });
    const byKey = await call<MessagesAnswer>('GET', '/v1/messages?topic=orders&key=shared');
    expect(byKey.body.messages.map((m) => m.messageId)).toEqual([
      'id-orders-1-3',
      'id-orders-0-2',
      'id-orders-1-1',
      'id-orders-0-0',
    ]);
    expect((await call<MessagesAnswer>('GET', '/v1/messages?topic=orders&key=key-2')).body.messages[0]?.body).toBe(
      Buffer.from('body orders 0 2').toString('base64'),
    );
  });

  it('answers a 404 problem for an unknown id and an empty list for an unknown key', async () => {
    await serve();
    await store.append(message('orders', 0, 0));
    expectProblem(await call('GET', '/v1/messages/nope?topic=orders'), 404, 40400);
    expectProblem(await call('GET', '/v1/messages/id-orders-0-0?topic=other'), 404, 40400);
    expect((await call('GET', '/v1/messages?topic=orders&key=nope')).body).toEqual({ messages: [] });
  });
});

describe('admin API: auth', () => {
  it('requires the bearer token on every route but /healthz and /readyz', async () => {
    await serve({ adminToken: 's3cret' });
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(200);
    for (const path of ['/metrics', '/openapi.json', '/v1/topics', '/v1/topics/orders', '/v1/messages?topic=t&key=k']) {
      const answer = await call('GET', path);
      expectProblem(answer, 401, 40100);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expectProblem(await call('PUT', '/v1/topics/orders', { messageType: 'NORMAL', queues: 1 }), 401, 40100);
    expect(topics.get('orders')).toBeUndefined();
  });

  it('rejects a wrong, differently sized or non-bearer token and accepts the right one', async () => {
    await serve({ adminToken: 's3cret' });
    for (const authorization of ['Bearer s3creT', 'Bearer s3cret-and-more', 'Basic czNjcmV0', 'Bearer', 's3cret']) {
      expectProblem(await call('GET', '/v1/topics', undefined, { authorization }), 401, 40100);
    }
    const auth = { authorization: 'Bearer s3cret' };
    expect((await call('GET', '/v1/topics', undefined, auth)).status).toBe(200);
    expect((await call('GET', '/metrics', undefined, auth)).status).toBe(200);
    const created = await call('PUT', '/v1/topics/orders', { messageType: 'NORMAL', queues: 1 }, auth);
    expect(created.status).toBe(201);
  });
});

describe('admin API: OpenAPI', () => {
  it('serves an OpenAPI 3.1 document describing every route and method the app serves', async () => {
    await serve();
    const answer = await call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
    expect(answer.body.openapi).toBe('3.1.0');
    const app = createAdminApp({
      registry: new Registry(),
      log: silentLog,
      isReady: () => true,
      store,
      consumption,
      sessions: new ClientSessions(),
      topics,
      groups,
      permission,
    });
    // @types/express leaves out Route#methods, which Express 5's router sets.
    const served = routesOf(app.router.stack as unknown as LayerLike[]);
    expect(served.length).toBeGreaterThanOrEqual(10);
    const described = Object.entries(answer.body.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => ['get', 'put', 'post', 'delete', 'patch'].includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(served.sort());
  });

  it('documents the topic body with the schema the route enforces', async () => {
    await serve();
    const { TopicSpec } = (await call<OpenApiSchemas>('GET', '/openapi.json')).body.components.schemas;
    expect(TopicSpec.required.sort()).toEqual(['messageType', 'queues']);
    expect(TopicSpec.additionalProperties).toBe(false);
    expect(TopicSpec.properties.queues).toMatchObject({ type: 'integer', minimum: 1, maximum: 1024 });
  });

  it('documents the group body, its defaults and limits, with the schema the route enforces', async () => {
    await serve();
    const { GroupSpec } = (await call<OpenApiSchemas>('GET', '/openapi.json')).body.components.schemas;
    expect(GroupSpec.additionalProperties).toBe(false);
    expect(GroupSpec.properties.maxDeliveryAttempts).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 17,
    });
    expect(GroupSpec.properties.retryPolicy).toMatchObject({
      additionalProperties: false,
      properties: { initialMs: { minimum: 1000, multipleOf: 1000, default: 1000 }, maxMs: { default: 10_000 } },
    });
  });
});

interface LayerLike {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/** `METHOD /path/{param}` of every route in an Express 5 router stack, nested routers included. */
function routesOf(stack: readonly LayerLike[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      // Express escapes a literal colon (`offsets\:reset`); the document spells it plainly.
      const path = layer.route.path.replace(/(?<!\\):(\w+)/g, '{$1}').replaceAll('\\:', ':');
      return Object.keys(layer.route.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${path}`);
    }
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}
