import { describe, expect, it } from 'vitest';
import type { BrokerRegistration } from './registration.js';
import { RouteTable } from './route-table.js';

const broker = (
  name: string,
  group: string,
  port: number,
  topics: BrokerRegistration['topics'],
): BrokerRegistration => ({
  brokerName: name,
  brokerGroup: group,
  endpoint: `10.0.0.${port % 250}:${port}`,
  topics,
});
const rw = (queues: number) => ({ queues, messageType: 'NORMAL' as const, perm: 'RW' as const });

describe('RouteTable', () => {
  it('routes a topic to every live broker with its own endpoint, ordered by group then name', () => {
    const table = new RouteTable({ expiryMs: 1000 });
    table.register(broker('b-2', 'group-b', 8082, { orders: rw(4) }), 0);
    table.register(broker('a-1', 'group-a', 8081, { orders: rw(8), other: rw(1) }), 0);
    table.register(broker('a-0', 'group-a', 8080, { orders: rw(2) }), 0);
    table.register(broker('c-0', 'group-c', 8083, { other: rw(1) }), 0);

    expect(table.routesFor('orders', 10)).toEqual([
      { brokerName: 'a-0', brokerGroup: 'group-a', endpoint: '10.0.0.80:8080', ...rw(2) },
      { brokerName: 'a-1', brokerGroup: 'group-a', endpoint: '10.0.0.81:8081', ...rw(8) },
      { brokerName: 'b-2', brokerGroup: 'group-b', endpoint: '10.0.0.82:8082', ...rw(4) },
    ]);
  });

  it('gives the same order whatever the registration order', () => {
    const regs = [
      broker('x', 'g2', 9001, { t: rw(1) }),
      broker('y', 'g1', 9002, { t: rw(1) }),
      broker('Z', 'g1', 9003, { t: rw(1) }),
    ];
    const names = (order: BrokerRegistration[]) => {
      const table = new RouteTable();
      for (const r of order) table.register(r, 0);
      return table.routesFor('t', 0).map((r) => r.brokerName);
    };
    expect(names(regs)).toEqual(['Z', 'y', 'x']);
    expect(names([...regs].reverse())).toEqual(['Z', 'y', 'x']);
  });

  it('returns nothing for a topic no live broker has', () => {
    const table = new RouteTable();
    table.register(broker('a', 'g', 8081, { t: rw(1) }), 0);
    expect(table.routesFor('unknown', 0)).toEqual([]);
    expect(table.routesFor('constructor', 0)).toEqual([]);
  });

  it('drops a broker from routes once the expiry passes without a heartbeat', () => {
    const table = new RouteTable({ expiryMs: 30_000 });
    table.register(broker('a', 'g', 8081, { t: rw(1) }), 0);
    table.register(broker('b', 'g', 8082, { t: rw(1) }), 0);
    table.register(broker('b', 'g', 8082, { t: rw(1) }), 20_000);

    expect(table.routesFor('t', 29_999).map((r) => r.brokerName)).toEqual(['a', 'b']);
    expect(table.routesFor('t', 30_000).map((r) => r.brokerName)).toEqual(['b']);
    expect(table.list(30_000).map((b) => b.registration.brokerName)).toEqual(['b']);
    expect(table.routesFor('t', 50_000)).toEqual([]);
  });

  it('sweeps expired brokers and names them', () => {
    const table = new RouteTable({ expiryMs: 100 });
    table.register(broker('a', 'g', 8081, { t: rw(1) }), 0);
    table.register(broker('b', 'g', 8082, { t: rw(1) }), 50);
    expect(table.expire(99)).toEqual([]);
    expect(table.expire(100)).toEqual(['a']);
    expect(table.expire(100)).toEqual([]);
    expect(table.expire(1000)).toEqual(['b']);
  });

  it('reports a first registration, a heartbeat and a changed endpoint', () => {
    const table = new RouteTable({ expiryMs: 100 });
    expect(table.register(broker('a', 'g', 8081, {}), 0)).toEqual({ kind: 'registered', expiresAt: 100 });
    expect(table.register(broker('a', 'g', 8081, {}), 40)).toEqual({ kind: 'refreshed', expiresAt: 140 });
    expect(table.register(broker('a', 'g', 8089, {}), 50)).toEqual({
      kind: 'moved',
      expiresAt: 150,
      previousEndpoint: '10.0.0.81:8081',
    });
    expect(table.list(60)[0]?.registeredAt).toBe(0);
    expect(table.register(broker('a', 'g', 8089, {}), 500)).toEqual({ kind: 'registered', expiresAt: 600 });
  });

  it('replaces the topics of a broker with its latest registration', () => {
    const table = new RouteTable();
    table.register(broker('a', 'g', 8081, { t: rw(1), gone: rw(1) }), 0);
    table.register(broker('a', 'g', 8081, { t: rw(16) }), 1);
    expect(table.routesFor('t', 2)).toEqual([expect.objectContaining({ queues: 16 })]);
    expect(table.routesFor('gone', 2)).toEqual([]);
  });

  it('keeps a read-only broker in routes with its permission', () => {
    const table = new RouteTable();
    table.register(broker('a', 'g', 8081, { t: rw(2) }), 0);
    table.register(broker('b', 'g', 8082, { t: { queues: 2, messageType: 'FIFO', perm: 'R' } }), 0);
    expect(table.routesFor('t', 0).map((r) => [r.brokerName, r.perm, r.messageType])).toEqual([
      ['a', 'RW', 'NORMAL'],
      ['b', 'R', 'FIFO'],
    ]);
  });

  it('removes an unregistered broker at once and says whether it was live', () => {
    const table = new RouteTable({ expiryMs: 100 });
    table.register(broker('a', 'g', 8081, { t: rw(1) }), 0);
    table.register(broker('b', 'g', 8082, { t: rw(1) }), 0);
    expect(table.unregister('a', 10)).toBe(true);
    expect(table.routesFor('t', 10).map((r) => r.brokerName)).toEqual(['b']);
    expect(table.unregister('a', 10)).toBe(false);
    expect(table.unregister('b', 200)).toBe(false);
  });

  it('rejects a non-positive expiry', () => {
    expect(() => new RouteTable({ expiryMs: 0 })).toThrow(RangeError);
  });
});
