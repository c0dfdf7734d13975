import { describe, expect, it } from 'vitest';
import type { Clock } from '../lib/clock.js';
import type { BrokerRoute } from './registration.js';
import { EmbeddedRouteSource, RemoteRouteSource } from './route-source.js';
import { RouteTable } from './route-table.js';

class ManualClock implements Clock {
  constructor(public ms = 0) {}
  now(): number {
    return this.ms;
  }
}

const route: BrokerRoute = {
  brokerName: 'b',
  brokerGroup: 'g',
  endpoint: '127.0.0.1:8081',
  queues: 8,
  messageType: 'NORMAL',
  perm: 'RW',
};

/** Answers from `answer`, counting lookups; throws while `down`. */
class CountingClient {
  lookups = 0;
  down = false;
  answer: BrokerRoute[] = [route];
  async routes(_topic: string): Promise<BrokerRoute[]> {
    this.lookups += 1;
    await Promise.resolve();
    if (this.down) throw new Error('unreachable');
    return this.answer;
  }
}

describe('EmbeddedRouteSource', () => {
  it('routes what the local broker registered, until it expires or unregisters', async () => {
    const clock = new ManualClock();
    const source = new EmbeddedRouteSource(new RouteTable({ expiryMs: 100 }), clock);
    await source.register({ brokerName: 'b', brokerGroup: 'g', endpoint: '127.0.0.1:8081', topics: { t: route } });
    expect(await source.routesFor('t')).toEqual([route]);
    clock.ms = 100;
    expect(await source.routesFor('t')).toEqual([]);
    await source.register({ brokerName: 'b', brokerGroup: 'g', endpoint: '127.0.0.1:8081', topics: { t: route } });
    await source.unregister('b');
    expect(await source.routesFor('t')).toEqual([]);
  });
});

describe('RemoteRouteSource', () => {
  it('reuses an answer within the cache time and shares one lookup between concurrent callers', async () => {
    const clock = new ManualClock();
    const client = new CountingClient();
    const source = new RemoteRouteSource(client, clock, { cacheMs: 1000 });
    const [a, b] = await Promise.all([source.routesFor('t'), source.routesFor('t')]);
    expect(a).toEqual([route]);
    expect(b).toEqual([route]);
    clock.ms = 999;
    await source.routesFor('t');
    expect(client.lookups).toBe(1);
    clock.ms = 1000;
    client.answer = [];
    expect(await source.routesFor('t')).toEqual([]);
    expect(client.lookups).toBe(2);
  });

  it('serves a recent answer while the name server fails, then the failure', async () => {
    const clock = new ManualClock();
    const client = new CountingClient();
    const source = new RemoteRouteSource(client, clock, { cacheMs: 100, staleIfErrorMs: 1000 });
    await source.routesFor('t');
    client.down = true;
    clock.ms = 500;
    expect(await source.routesFor('t')).toEqual([route]);
    clock.ms = 1000;
    await expect(source.routesFor('t')).rejects.toThrow('unreachable');
    await expect(source.routesFor('other')).rejects.toThrow('unreachable');
  });

  it('looks up again after invalidate and forgets the oldest topic beyond its limit', async () => {
    const clock = new ManualClock();
    const client = new CountingClient();
    const source = new RemoteRouteSource(client, clock, { maxTopics: 2 });
    await source.routesFor('a');
    source.invalidate('a');
    await source.routesFor('a');
    expect(client.lookups).toBe(2);
    await source.routesFor('b');
    await source.routesFor('c');
    await source.routesFor('a');
    expect(client.lookups).toBe(5);
    await source.routesFor('c');
    expect(client.lookups).toBe(5);
  });
});
