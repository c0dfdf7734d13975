import type { BrokerCluster } from '@rocketry/crds';
import { describe, expect, it } from 'vitest';
import type { GroupInfo, GroupLag, TopicDetail } from '../../broker-admin/broker-admin.js';
import { ClaimIndex, claimOwner } from './claims.js';
import { clusterTarget } from './cluster-target.js';
import { entityStatus } from './entity-status.js';
import { FreshObjects } from './fresh-objects.js';
import { compareGroup, desiredGroup } from './group-rules.js';
import { topicBacklog } from './topic-rules.js';

const external = (extra: Partial<BrokerCluster['spec']> = {}, status?: BrokerCluster['status']): BrokerCluster =>
  ({
    apiVersion: 'rocketry.io/v1alpha1',
    kind: 'BrokerCluster',
    metadata: { name: 'prod', namespace: 'mq' },
    spec: {
      mode: 'External',
      external: {
        brokers: [{ name: 'b0', adminUrl: 'http://b0:8082', credentialsSecretRef: { name: 's', key: 'token' } }],
      },
      ...extra,
    },
    ...(status && { status }),
  }) as BrokerCluster;

describe('clusterTarget', () => {
  it('is not found without a cluster', () => {
    expect(clusterTarget('mq', { name: 'prod' }, undefined)).toEqual({
      kind: 'not-found',
      message: 'BrokerCluster mq/prod not found',
    });
  });
  it('lists External brokers with their token Secret, ready until status says otherwise', () => {
    expect(clusterTarget('mq', { name: 'prod' }, external())).toEqual({
      kind: 'ready',
      clusterKey: 'mq/prod',
      groups: [
        {
          name: 'b0',
          adminUrl: 'http://b0:8082',
          token: { namespace: 'mq', name: 's', key: 'token' },
          ready: true,
          leaving: false,
        },
      ],
    });
    const down = clusterTarget(
      'mq',
      { name: 'prod' },
      external({}, { groups: [{ name: 'b0', phase: 'Running', ready: false, writable: false }] }),
    );
    expect(down.kind === 'ready' && down.groups[0]?.ready).toBe(false);
  });
  it('refuses another namespace unless the cluster allows it', () => {
    expect(clusterTarget('team-a', { name: 'prod', namespace: 'mq' }, external()).kind).toBe('not-allowed');
    expect(
      clusterTarget('team-a', { name: 'prod', namespace: 'mq' }, external({ allowedNamespaces: ['team-a'] })).kind,
    ).toBe('ready');
    expect(
      clusterTarget('team-b', { name: 'prod', namespace: 'mq' }, external({ allowedNamespaces: ['*'] })).kind,
    ).toBe('ready');
  });
  it('takes Managed groups from status, with the admin Secret, draining groups leaving', () => {
    const cluster = {
      ...external(),
      spec: { mode: 'Managed' },
      status: {
        groups: [
          { name: 'prod-broker-0', phase: 'Running', ready: true, writable: true, adminUrl: 'http://a:8082' },
          { name: 'prod-broker-1', phase: 'Draining', ready: true, writable: false, adminUrl: 'http://b:8082' },
          { name: 'prod-broker-2', phase: 'Pending', ready: false, writable: false },
        ],
      },
    } as unknown as BrokerCluster;
    const t = clusterTarget('mq', { name: 'prod' }, cluster);
    expect(t.kind === 'ready' && t.groups.map((g) => [g.name, g.ready, g.leaving, g.token?.name])).toEqual([
      ['prod-broker-0', true, false, 'prod-admin'],
      ['prod-broker-1', true, true, 'prod-admin'],
    ]);
    expect(clusterTarget('mq', { name: 'prod' }, { ...cluster, status: {} }).kind).toBe('not-ready');
  });
  it('reports a cluster being deleted', () => {
    const c = external();
    c.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    expect(clusterTarget('mq', { name: 'prod' }, c).kind).toBe('deleting');
  });
});

describe('claimOwner', () => {
  const c = (key: string, createdAt: string, deleting = false) => ({ key, createdAt, deleting });
  const cases: [string, ReturnType<typeof c>[], string | undefined][] = [
    ['the oldest claimant owns', [c('a/y', '2026-01-01T00:00:02Z'), c('b/x', '2026-01-01T00:00:01Z')], 'b/x'],
    [
      'same second: namespace/name decides',
      [c('b/x', '2026-01-01T00:00:01Z'), c('a/y', '2026-01-01T00:00:01Z')],
      'a/y',
    ],
    [
      'a deleting claimant owns nothing',
      [c('a/x', '2026-01-01T00:00:01Z', true), c('a/y', '2026-01-01T00:00:09Z')],
      'a/y',
    ],
    ['nobody, when all are deleting', [c('a/x', '2026-01-01T00:00:01Z', true)], undefined],
  ];
  it.each(cases)('%s', (_n, claimants, owner) => expect(claimOwner(claimants)).toBe(owner));
});

describe('ClaimIndex', () => {
  it('returns the other claimants of an object, and of the object a key left', () => {
    const index = new ClaimIndex();
    expect(index.record('a/x', 'mq/prod', 'orders')).toEqual([]);
    expect(index.record('b/x', 'mq/prod', 'orders')).toEqual(['a/x']);
    expect(index.record('c/x', 'mq/prod', 'payments')).toEqual([]);
    expect(index.keysOfClusterKey('mq/prod').sort()).toEqual(['a/x', 'b/x', 'c/x']);
    expect(index.record('b/x', 'mq/prod', 'payments')).toEqual(['a/x', 'c/x']);
    expect(index.remove('a/x')).toEqual([]);
    expect(index.size).toBe(2);
  });
});

describe('topicBacklog', () => {
  const detail = (offsets: [number, number][]): TopicDetail => ({
    name: 't',
    messageType: 'NORMAL',
    queues: offsets.length,
    acceptMessageTypes: ['NORMAL'],
    queueOffsets: offsets.map(([min, max], queueId) => ({ queueId, minOffset: String(min), maxOffset: String(max) })),
  });
  const lag = (group: string, queues: [string, number, number, number][]): GroupLag => ({
    group,
    ready: 0,
    inflight: 0,
    queues: queues.map(([topic, queueId, ready, inflight]) => ({
      topic,
      queueId,
      ready,
      inflight,
      committedOffset: 0,
      maxOffset: 0,
      oldestReadyAgeMs: null,
      oldestUnconsumedAgeMs: null,
    })),
  });
  const cases: [string, TopicDetail, GroupLag[], number][] = [
    ['an empty topic has no backlog', detail([[0, 0]]), [], 0],
    [
      'stored messages nobody read are a backlog',
      detail([
        [0, 5],
        [0, 0],
      ]),
      [],
      5,
    ],
    ['consumed messages are not', detail([[0, 5]]), [lag('g', [['t', 0, 0, 0]])], 0],
    ['ready and in-flight messages are', detail([[0, 5]]), [lag('g', [['t', 0, 2, 1]])], 3],
    ['lag on other topics does not count', detail([[0, 0]]), [lag('g', [['u', 0, 7, 0]])], 0],
    ['expired messages are not a backlog', detail([[5, 5]]), [], 0],
  ];
  it.each(cases)('%s', (_n, d, lags, messages) => {
    expect(topicBacklog('t', d, lags)).toMatchObject({ kind: 'known', messages });
  });
});

describe('compareGroup', () => {
  const spec = {
    clusterRef: { name: 'prod' },
    fifo: false,
    maxDeliveryAttempts: 17,
    retryPolicy: { type: 'exponential' as const, initialMs: 1000, maxMs: 10_000, multiplier: 2 },
    deletionPolicy: 'Delete' as const,
  };
  const info = (extra: Partial<GroupInfo> = {}): GroupInfo => ({
    name: 'g',
    deadLetterTopic: '%DLQ%g',
    ...desiredGroup(spec),
    ...extra,
  });
  it.each([
    ['equal', info(), 'equal'],
    ['other attempts: update', info({ maxDeliveryAttempts: 5 }), 'update'],
    ['other backoff: update', info({ retryPolicy: { ...spec.retryPolicy, maxMs: 20_000 } }), 'update'],
    ['other FIFO setting: refused', info({ fifo: true }), 'refused'],
  ] as const)('%s', (_n, reported, kind) => {
    expect(compareGroup('g', desiredGroup(spec), reported, 'b0').kind).toBe(kind);
  });
});

describe('entityStatus', () => {
  const ready = { status: 'True' as const, reason: 'Reconciled', message: 'ok' };
  it('needs no write when nothing changed', () => {
    const first = entityStatus(undefined, ready, 3, { topicName: 't' }, '2026-01-01T00:00:00Z');
    expect(first.changed).toBe(true);
    const again = entityStatus(first.patch, ready, 3, { topicName: 't' }, '2026-01-01T00:01:00Z');
    expect(again.changed).toBe(false);
    expect(entityStatus(first.patch, ready, 4, { topicName: 't' }, '2026-01-01T00:01:00Z').changed).toBe(true);
  });
  it('keeps observedGeneration while paused', () => {
    const first = entityStatus(undefined, ready, 3, {}, '2026-01-01T00:00:00Z');
    const paused = entityStatus(
      first.patch,
      { status: 'Unknown', reason: 'ReconciliationPaused', message: '' },
      5,
      {},
      'x',
      {
        keepGeneration: true,
      },
    );
    expect(paused.patch.observedGeneration).toBe(3);
  });
});

describe('FreshObjects', () => {
  it('uses what our write returned while the cache still shows the replaced version', () => {
    const fresh = new FreshObjects<{ metadata: { resourceVersion: string } }>();
    const v1 = { metadata: { resourceVersion: '1' } };
    const v2 = { metadata: { resourceVersion: '2' } };
    const v3 = { metadata: { resourceVersion: '3' } };
    fresh.wrote('k', v1, v2);
    fresh.wrote('k', v2, v3);
    expect(fresh.get('k', v1)).toBe(v3);
    expect(fresh.get('k', v2)).toBe(v3);
    expect(fresh.get('k', v3)).toBe(v3);
    expect(fresh.size).toBe(0);
  });
});
