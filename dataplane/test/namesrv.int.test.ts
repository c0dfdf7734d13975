import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Clock, systemClock } from '../src/lib/clock.js';
import { NameServerClient } from '../src/namesrv/namesrv-client.js';
import { type NameServer, startNameServer } from '../src/namesrv/namesrv-server.js';
import { Registrar } from '../src/namesrv/registrar.js';
import type { BrokerRegistration } from '../src/namesrv/registration.js';
import { RemoteRouteSource } from '../src/namesrv/route-source.js';
import { silentLog } from './support/store.js';

/** Time on the name server is a manual clock, so expiry is exact however loaded the machine is. */
const EXPIRY_MS = 600;
const T0 = Date.parse('2025-03-01T12:00:00Z');

class ManualClock implements Clock {
  ms = T0;
  now(): number {
    return this.ms;
  }
}
const suffix = Math.random().toString(36).slice(2, 8);
const shared = `orders-${suffix}`;

const brokerA: BrokerRegistration = {
  brokerName: `broker-a-${suffix}`,
  brokerGroup: 'group-a',
  endpoint: '127.0.0.1:18081',
  topics: {
    [shared]: { queues: 8, messageType: 'NORMAL', perm: 'RW' },
    [`only-a-${suffix}`]: { queues: 1, messageType: 'FIFO', perm: 'RW' },
  },
};
const brokerB: BrokerRegistration = {
  brokerName: `broker-b-${suffix}`,
  brokerGroup: 'group-b',
  endpoint: 'broker-b.rocketry.svc:8081',
  topics: { [shared]: { queues: 4, messageType: 'NORMAL', perm: 'R' } },
};

describe('name server', () => {
  let server: NameServer;
  let base: string;
  let client: NameServerClient;
  let clock: ManualClock;
  const registrars: Registrar[] = [];
  const registrar = async (registration: BrokerRegistration) => {
    const r = new Registrar({ target: client, registration: () => registration, intervalMs: 50, log: silentLog });
    registrars.push(r);
    await r.start();
    return r;
  };

  beforeEach(async () => {
    clock = new ManualClock();
    server = await startNameServer({ host: '127.0.0.1', port: 0, log: silentLog, clock, expiryMs: EXPIRY_MS });
    base = `http://127.0.0.1:${server.port}`;
    client = new NameServerClient({ address: `127.0.0.1:${server.port}`, timeoutMs: 2000 });
  });

  afterEach(async () => {
    await Promise.all(registrars.splice(0).map((r) => r.stop({ unregister: false })));
    await server.close();
  });

  it('routes a topic to every registered broker with its own endpoint, and drops one whose heartbeats stop', async () => {
    const a = await registrar(brokerA);
    const b = await registrar(brokerB);
    expect(a.registered && b.registered).toBe(true);

    const res = await fetch(`${base}/v1/routes/${shared}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      topic: shared,
      brokers: [
        {
          brokerName: brokerA.brokerName,
          brokerGroup: 'group-a',
          endpoint: '127.0.0.1:18081',
          queues: 8,
          messageType: 'NORMAL',
          perm: 'RW',
        },
        {
          brokerName: brokerB.brokerName,
          brokerGroup: 'group-b',
          endpoint: 'broker-b.rocketry.svc:8081',
          queues: 4,
          messageType: 'NORMAL',
          perm: 'R',
        },
      ],
    });
    expect((await client.routes(`only-a-${suffix}`)).map((r) => [r.brokerName, r.messageType])).toEqual([
      [brokerA.brokerName, 'FIFO'],
    ]);
    const listed = (await (await fetch(`${base}/v1/brokers`)).json()) as { brokers: { brokerName: string }[] };
    expect(listed.brokers.map((x) => x.brokerName)).toEqual([brokerA.brokerName, brokerB.brokerName]);

    // Broker B "crashes": no more heartbeats, no unregister. It stays until the expiry, then leaves routes.
    await b.stop({ unregister: false });
    const heartbeatOf = async (name: string) => {
      const { brokers } = (await (await fetch(`${base}/v1/brokers`)).json()) as {
        brokers: { brokerName: string; heartbeatAt: string }[];
      };
      return brokers.find((x) => x.brokerName === name)?.heartbeatAt;
    };
    clock.ms += EXPIRY_MS - 200;
    // Broker A's own timer heartbeats at the name server's new time; B's does not.
    await vi.waitFor(async () => expect(await heartbeatOf(brokerA.brokerName)).toBe(new Date(clock.ms).toISOString()));
    expect((await client.routes(shared)).map((r) => r.brokerName)).toEqual([brokerA.brokerName, brokerB.brokerName]);
    clock.ms += 300;
    expect((await client.routes(shared)).map((r) => r.brokerName)).toEqual([brokerA.brokerName]);
    expect((await client.routes(`only-a-${suffix}`)).length).toBe(1);

    await vi.waitFor(async () => {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^rocketry_namesrv_live_brokers 1$/m);
      expect(metrics).toMatch(/^rocketry_namesrv_expirations_total 1$/m);
      expect(metrics).toMatch(/^rocketry_namesrv_registrations_total\{kind="registered"\} 2$/m);
    });
  });

  it('removes a broker at once when it unregisters', async () => {
    const a = await registrar(brokerA);
    await registrar(brokerB);
    await a.stop();
    expect((await client.routes(shared)).map((r) => r.brokerName)).toEqual([brokerB.brokerName]);
    const gone = await fetch(`${base}/v1/routes/only-a-${suffix}`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await gone.json()).toMatchObject({ status: 404, code: 40402, title: 'Not Found' });
    expect(await client.unregister(brokerA.brokerName)).toBe(false);
  });

  it('serves routes through a cached remote route source, and a recent answer while the name server is down', async () => {
    await registrar(brokerA);
    const source = new RemoteRouteSource(new NameServerClient({ address: base }), systemClock, { cacheMs: 10_000 });
    expect((await source.routesFor(shared)).map((r) => r.endpoint)).toEqual(['127.0.0.1:18081']);
    expect(await source.routesFor(`unknown-${suffix}`)).toEqual([]);
    await server.close();
    server = await startNameServer({ host: '127.0.0.1', port: 0, log: silentLog, expiryMs: EXPIRY_MS });
    expect((await source.routesFor(shared)).length).toBe(1);
  });

  it('answers bad input with problem+json and keeps serving', async () => {
    const put = (name: string, body: string) =>
      fetch(`${base}/v1/brokers/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    const problems = [
      await put('b', JSON.stringify({ ...brokerA, brokerName: undefined, endpoint: '[::1]:8081' })),
      await put('b', JSON.stringify({ ...brokerA, brokerName: undefined, endpoint: 'host:70000' })),
      await put(
        'b',
        JSON.stringify({ ...brokerA, brokerName: undefined, topics: { 'bad topic': brokerA.topics[shared] } }),
      ),
      await put(
        'b',
        JSON.stringify({
          ...brokerA,
          brokerName: undefined,
          topics: { t: { queues: 0, messageType: 'NORMAL', perm: 'RW' } },
        }),
      ),
      await put(
        'b',
        JSON.stringify({
          ...brokerA,
          brokerName: undefined,
          topics: { t: { queues: 1, messageType: 'NORMAL', perm: 'W' } },
        }),
      ),
      await put('b', JSON.stringify({ ...brokerA, extra: true })),
      await put('b', JSON.stringify(brokerA)),
      await put('b', '{"brokerGroup":'),
      await put('bad%20name', JSON.stringify({ ...brokerA, brokerName: undefined })),
      await fetch(`${base}/v1/brokers/b`, { method: 'PUT', body: 'not json' }),
      await fetch(`${base}/v1/routes/bad%20topic`),
    ];
    for (const res of problems) {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    }
    const invalid = (await (
      await put('b', JSON.stringify({ brokerGroup: 'g', endpoint: 'nohost', topics: {} }))
    ).json()) as {
      errors: unknown;
    };
    expect(invalid.errors).toEqual([{ path: 'endpoint', message: 'host:port (port 1-65535)' }]);

    const unknown = await fetch(`${base}/v1/nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 404, detail: 'no route GET /v1/nothing' });
    expect((await fetch(`${base}/v1/brokers/nobody`, { method: 'DELETE' })).status).toBe(404);

    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await put('b', JSON.stringify({ ...brokerA, brokerName: 'b' }))).status).toBe(201);
    expect((await put('b', JSON.stringify({ ...brokerA, brokerName: 'b' }))).status).toBe(200);
  });
});
