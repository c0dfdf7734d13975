import { describe, expect, it } from 'vitest';
import type { BrokerGroupTarget, ClusterTarget } from './cluster-target.js';
import {
  type Backlog,
  decideDeleteIfEmpty,
  decideSync,
  type Observation,
  type PreflightInput,
  preflight,
} from './decide.js';
import { compareTopic } from './topic-rules.js';

const group = (name: string, extra: Partial<BrokerGroupTarget> = {}): BrokerGroupTarget => ({
  name,
  adminUrl: `http://${name}:8082`,
  ready: true,
  leaving: false,
  ...extra,
});
const ready = (...groups: BrokerGroupTarget[]): ClusterTarget => ({ kind: 'ready', clusterKey: 'mq/prod', groups });
const base: PreflightInput = {
  entity: 'topic orders',
  deleting: false,
  hasFinalizer: false,
  paused: false,
  invalid: undefined,
  target: ready(group('b0'), group('b1')),
  managedBy: undefined,
  claimedByOther: false,
  policy: 'Delete',
};

describe('preflight (not deleting)', () => {
  const cases: [string, Partial<PreflightInput>, string | undefined][] = [
    ['syncs on a ready cluster', {}, undefined],
    ['reports a paused object as Unknown', { paused: true }, 'ReconciliationPaused'],
    ['reports an invalid spec', { invalid: 'spec.queues: too small' }, 'InvalidSpec'],
    ['reports a missing cluster', { target: { kind: 'not-found', message: 'x' } }, 'ClusterNotFound'],
    [
      'reports a cluster that does not allow the namespace',
      { target: { kind: 'not-allowed', message: 'x' } },
      'NamespaceNotAllowed',
    ],
    [
      'reports a cluster without groups as not ready',
      { target: { kind: 'not-ready', message: 'x' } },
      'ClusterNotReady',
    ],
    ['reports a cluster being deleted as not ready', { target: { kind: 'deleting', message: 'x' } }, 'ClusterNotReady'],
    [
      'reports a cluster whose groups are all leaving',
      { target: ready(group('b0', { leaving: true })) },
      'ClusterNotReady',
    ],
    ['gives the younger of two claimants ResourceConflict', { managedBy: 'team-a/orders' }, 'ResourceConflict'],
    [
      'checks the spec before the cluster',
      { invalid: 'bad', target: { kind: 'not-found', message: 'x' } },
      'InvalidSpec',
    ],
  ];
  it.each(cases)('%s', (_name, input, reason) => {
    const p = preflight({ ...base, ...input });
    if (reason === undefined) expect(p.kind).toBe('sync');
    else expect(p).toMatchObject({ kind: 'done', finalizer: 'keep', ready: { reason } });
  });

  it('names the managing object in the conflict message', () => {
    const p = preflight({ ...base, managedBy: 'team-a/orders' });
    expect(p.kind === 'done' && p.ready?.message).toBe(
      'topic orders on BrokerCluster mq/prod is managed by team-a/orders (the older object)',
    );
  });

  it('syncs only on groups not leaving, and lists the ones not ready', () => {
    const p = preflight({
      ...base,
      target: ready(group('b0'), group('b1', { ready: false }), group('b2', { leaving: true })),
    });
    expect(p).toEqual({ kind: 'sync', groups: [group('b0')], notReady: ['b1'] });
  });
});

describe('preflight (deleting)', () => {
  const deleting = { ...base, deleting: true, hasFinalizer: true };
  const cases: [string, Partial<PreflightInput>, string][] = [
    ['Delete deletes on every group', {}, 'delete'],
    ['DeleteIfEmpty checks for a backlog first', { policy: 'DeleteIfEmpty' }, 'delete-if-empty'],
    ['Retain only releases the finalizer', { policy: 'Retain' }, 'release'],
    ['a missing cluster releases the finalizer', { target: { kind: 'not-found', message: 'x' } }, 'release'],
    ['a cluster being deleted releases the finalizer', { target: { kind: 'deleting', message: 'x' } }, 'release'],
    ['a cluster without groups releases the finalizer', { target: { kind: 'not-ready', message: 'x' } }, 'release'],
    ['an invalid spec releases the finalizer', { invalid: 'bad' }, 'release'],
    ['a paused object releases the finalizer', { paused: true }, 'release'],
    ['a conflicting object never deletes', { managedBy: 'team-a/orders' }, 'release'],
    ['another live claimant takes over instead of a delete', { claimedByOther: true }, 'release'],
    ['without our finalizer there is nothing to do', { hasFinalizer: false }, 'nothing'],
  ];
  it.each(cases)('%s', (_name, input, outcome) => {
    const p = preflight({ ...deleting, ...input });
    switch (outcome) {
      case 'delete':
        return expect(p).toMatchObject({ kind: 'delete', checkEmpty: false });
      case 'delete-if-empty':
        return expect(p).toMatchObject({ kind: 'delete', checkEmpty: true });
      case 'release':
        return expect(p).toEqual({ kind: 'done', finalizer: 'remove' });
      default:
        return expect(p).toEqual({ kind: 'done', finalizer: 'keep' });
    }
  });

  it('deletes on leaving and not-ready groups too', () => {
    const groups = [group('b0'), group('b1', { ready: false }), group('b2', { leaving: true })];
    expect(preflight({ ...deleting, target: ready(...groups) })).toEqual({ kind: 'delete', groups, checkEmpty: false });
  });
});

describe('decideSync (topics)', () => {
  type T = { messageType: 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION' | 'MIXED'; queues: number };
  const desired: T = { messageType: 'NORMAL', queues: 8 };
  const present = (reported: T): Observation<T> => ({ kind: 'present', reported });
  const decide = (observed: Record<string, Observation<T>>, notReady: string[] = []) =>
    decideSync({
      entity: 'topic orders',
      desired,
      compare: (d, r, g) => compareTopic('orders', d, r, g),
      groups: Object.keys(observed),
      notReady,
      observed: new Map(Object.entries(observed)),
    });

  const cases: [string, Record<string, Observation<T>>, string[], string, string][] = [
    ['creates where absent', { b0: { kind: 'absent' } }, ['create b0'], 'True', 'Reconciled'],
    [
      'writes nothing when every group is equal',
      { b0: present(desired), b1: present(desired) },
      [],
      'True',
      'Reconciled',
    ],
    [
      'adds queues where fewer',
      { b0: present({ ...desired, queues: 4 }), b1: present(desired) },
      ['update b0'],
      'True',
      'Reconciled',
    ],
    [
      'refuses a message type change everywhere (InvalidSpec, no writes)',
      { b0: { kind: 'absent' }, b1: present({ ...desired, messageType: 'FIFO' }) },
      [],
      'False',
      'InvalidSpec',
    ],
    ['refuses removing queues', { b0: present({ ...desired, queues: 16 }) }, [], 'False', 'InvalidSpec'],
    [
      'refuses a MIXED (auto-created) topic of the same name',
      { b0: present({ messageType: 'MIXED', queues: 8 }) },
      [],
      'False',
      'InvalidSpec',
    ],
    [
      'syncs the groups that answered and retries the others',
      { b0: { kind: 'absent' }, b1: { kind: 'unreachable', message: 'ECONNREFUSED' } },
      ['create b0'],
      'False',
      'AdminError',
    ],
  ];
  it.each(cases)('%s', (_name, observed, actions, status, reason) => {
    const d = decide(observed);
    expect(d.actions.map((a) => `${a.kind} ${a.group}`)).toEqual(actions);
    expect(d.ready).toMatchObject({ status, reason });
    expect(d.retry).toBe(reason === 'AdminError');
  });

  it('reports groups that are not ready, after syncing the others', () => {
    const d = decide({ b0: { kind: 'absent' } }, ['b1']);
    expect(d.actions).toHaveLength(1);
    expect(d.ready).toEqual({
      status: 'False',
      reason: 'ClusterNotReady',
      message: 'broker groups not ready: b1 (synced to b0)',
    });
    expect(d.retry).toBe(false);
  });

  it('explains a refused message type', () => {
    expect(decide({ b0: present({ ...desired, messageType: 'FIFO' }) }).ready.message).toBe(
      'topic orders is FIFO on broker group b0 and spec.messageType is NORMAL: a topic' +
        "'s message type cannot change (delete the topic on the brokers, or use another topicName)",
    );
  });
});

describe('decideDeleteIfEmpty', () => {
  const known = (messages: number, detail = ''): Backlog => ({ kind: 'known', messages, detail });
  it('deletes when no group holds a backlog', () => {
    expect(
      decideDeleteIfEmpty(
        'topic t',
        new Map([
          ['b0', known(0)],
          ['b1', known(0)],
        ]),
      ),
    ).toEqual({ kind: 'delete' });
  });
  it('blocks while a group holds messages, saying where', () => {
    const d = decideDeleteIfEmpty(
      'topic t',
      new Map([
        ['b0', known(0)],
        ['b1', known(3, 'consumer group g: 3 ready, 0 in flight')],
      ]),
    );
    expect(d).toEqual({
      kind: 'blocked',
      ready: {
        status: 'False',
        reason: 'DeletionBlocked',
        message:
          'deletionPolicy DeleteIfEmpty: topic t still has messages (b1: consumer group g: 3 ready, 0 in flight)',
      },
    });
  });
  it('retries when a group cannot be asked', () => {
    const d = decideDeleteIfEmpty('topic t', new Map([['b0', { kind: 'unreachable', message: 'timeout' } as Backlog]]));
    expect(d).toMatchObject({ kind: 'retry', ready: { reason: 'DeletionBlocked' } });
  });
});
