import type { BrokerClusterStatus, Condition } from '@rocketry/crds';
import { describe, expect, it } from 'vitest';
import { type ClusterObservation, clusterStatus, type GroupObservation } from './cluster-status.js';
import type { DrainDecision } from './drain.js';
import type { ObservedPod, ObservedWorkload } from './observed.js';
import type { RollDecision } from './roll.js';

const NOW = '2026-03-01T12:00:00Z';
const LATER = '2026-03-01T12:10:00Z';

const pod = (name: string, ready = true): ObservedPod => ({
  name,
  ordinal: Number(name.split('-').at(-1)),
  revision: 'r1',
  ready,
  terminating: false,
  restartRequested: false,
  notReadySinceMs: ready ? undefined : 0,
});
const workload = (name: string, ready = true): ObservedWorkload => ({
  name,
  replicas: 1,
  updateRevision: 'r1',
  controllerCaughtUp: true,
  pods: [pod(`${name}-0`, ready)],
});
const group = (i: number, extra: Partial<GroupObservation> = {}): GroupObservation => ({
  name: `prod-broker-${i}`,
  workload: workload(`prod-broker-${i}`),
  writable: true,
  leaving: false,
  ...extra,
});
const done: RollDecision = {
  action: 'done',
  pending: 0,
  reason: 'every pod runs its StatefulSet revision and is ready',
};

const healthy: Extract<ClusterObservation, { mode: 'Managed' }> = {
  mode: 'Managed',
  generation: 4,
  paused: false,
  invalidSpec: undefined,
  nameServer: workload('prod-namesrv'),
  groups: [group(0), group(1)],
  roll: done,
  drain: undefined,
};

/** `Type=Status/Reason` for each of Ready, Available, Progressing, Degraded. */
function summary(status: BrokerClusterStatus): string[] {
  return ['Ready', 'Available', 'Progressing', 'Degraded'].map((type) => {
    const c = status.conditions?.find((x) => x.type === type);
    return c ? `${type}=${c.status}/${c.reason}` : `${type}=-`;
  });
}
const statusOf = (obs: ClusterObservation, previous?: BrokerClusterStatus) => clusterStatus(obs, previous, NOW).status;

const rolling: RollDecision = {
  action: 'delete-pod',
  workload: 'prod-broker-1',
  pod: 'prod-broker-1-0',
  pending: 2,
  reason: 'restarting prod-broker-1-0',
};
const stalled: RollDecision = {
  action: 'wait',
  blockedBy: 'not-ready',
  workload: 'prod-broker-1',
  pod: 'prod-broker-1-0',
  pending: 1,
  stalled: true,
  reason: 'pod prod-broker-1-0 is not ready after 300 s',
};
const drainWait: DrainDecision = {
  action: 'wait',
  reason: 'WaitingForConsumers',
  stalled: false,
  requeueAfterMs: 10_000,
  message: 'draining prod-broker-2: ...',
};
const drainRefuse: DrainDecision = {
  action: 'refuse',
  reason: 'WouldOrphanTopic',
  topics: ['solo'],
  message: 'not removing prod-broker-2: it is the last writable broker group of solo',
};
const leaving = group(2, { writable: false, leaving: true });

describe('clusterStatus', () => {
  const cases: [string, ClusterObservation, string[]][] = [
    [
      'is Ready and Available with nothing in progress when every pod is ready and current',
      healthy,
      [
        'Ready=True/Reconciled',
        'Available=True/AllGroupsServing',
        'Progressing=False/RolloutComplete',
        'Degraded=False/AsExpected',
      ],
    ],
    [
      'is Progressing (RollingUpdate) and not Ready while pods are being rolled',
      { ...healthy, roll: rolling },
      [
        'Ready=False/Provisioning',
        'Available=True/AllGroupsServing',
        'Progressing=True/RollingUpdate',
        'Degraded=False/AsExpected',
      ],
    ],
    [
      'reports RolloutStalled and Degraded when a rolled pod stays unready past the timeout',
      { ...healthy, groups: [group(0), group(1, { workload: workload('prod-broker-1', false) })], roll: stalled },
      [
        'Ready=False/Provisioning',
        'Available=True/SomeGroupsServing',
        'Progressing=False/RolloutStalled',
        'Degraded=True/PodNotReady',
      ],
    ],
    [
      'is Progressing (ScalingUp) while a new group starts, still Available through the others',
      {
        ...healthy,
        groups: [group(0), group(1, { workload: undefined, writable: undefined })],
        roll: { ...stalled, stalled: false, pending: 0, blockedBy: 'missing-pods' },
      },
      [
        'Ready=False/Provisioning',
        'Available=True/SomeGroupsServing',
        'Progressing=True/ScalingUp',
        'Degraded=False/AsExpected',
      ],
    ],
    [
      'is Progressing (Draining) while a removed group waits for its consumers',
      { ...healthy, groups: [group(0), group(1), leaving], drain: { group: 'prod-broker-2', decision: drainWait } },
      [
        'Ready=False/Provisioning',
        'Available=True/AllGroupsServing',
        'Progressing=True/Draining',
        'Degraded=False/AsExpected',
      ],
    ],
    [
      'is not Ready (WouldOrphanTopic) when the drain planner refuses a removal',
      { ...healthy, groups: [group(0), group(1), leaving], drain: { group: 'prod-broker-2', decision: drainRefuse } },
      [
        'Ready=False/WouldOrphanTopic',
        'Available=True/AllGroupsServing',
        'Progressing=False/WouldOrphanTopic',
        'Degraded=False/AsExpected',
      ],
    ],
    [
      'reports DrainStalled when a drain waits past its timeout',
      {
        ...healthy,
        groups: [group(0), leaving],
        drain: { group: 'prod-broker-2', decision: { ...drainWait, stalled: true } },
      },
      [
        'Ready=False/Provisioning',
        'Available=True/AllGroupsServing',
        'Progressing=False/DrainStalled',
        'Degraded=False/AsExpected',
      ],
    ],
    [
      'is not Available without a ready name server',
      {
        ...healthy,
        nameServer: workload('prod-namesrv', false),
        roll: { ...stalled, workload: 'prod-namesrv', pod: 'prod-namesrv-0', pending: 0 },
      },
      [
        'Ready=False/Provisioning',
        'Available=False/NameServerUnavailable',
        'Progressing=False/RolloutStalled',
        'Degraded=True/PodNotReady',
      ],
    ],
    [
      'is not Available when no writable group has a ready broker',
      { ...healthy, groups: [group(0, { writable: false })] },
      [
        'Ready=False/Provisioning',
        'Available=False/NoGroupServing',
        'Progressing=False/RolloutComplete',
        'Degraded=True/NoGroupServing',
      ],
    ],
    [
      'is not Ready (InvalidSpec) with the problem as the message, whatever runs',
      { ...healthy, invalidSpec: 'spec.nameServer.replicas: 3 is not supported yet' },
      [
        'Ready=False/InvalidSpec',
        'Available=True/AllGroupsServing',
        'Progressing=False/InvalidSpec',
        'Degraded=False/AsExpected',
      ],
    ],
    [
      'is Ready in External mode when every external broker answers',
      {
        mode: 'External',
        generation: 2,
        paused: false,
        invalidSpec: undefined,
        brokers: [{ name: 'a', reachable: true, adminUrl: 'http://a:8082' }],
      },
      [
        'Ready=True/Reconciled',
        'Available=True/BrokersReachable',
        'Progressing=False/RolloutComplete',
        'Degraded=False/AsExpected',
      ],
    ],
    [
      'is Degraded and not Ready in External mode when some external brokers do not answer',
      {
        mode: 'External',
        generation: 2,
        paused: false,
        invalidSpec: undefined,
        brokers: [
          { name: 'a', reachable: true, adminUrl: 'http://a:8082' },
          { name: 'b', reachable: false, adminUrl: 'http://b:8082' },
        ],
      },
      [
        'Ready=False/BrokersUnreachable',
        'Available=True/SomeBrokersReachable',
        'Progressing=False/RolloutComplete',
        'Degraded=True/BrokersUnreachable',
      ],
    ],
  ];
  it.each(cases)('%s', (_name, obs, expected) => {
    expect(summary(statusOf(obs))).toEqual(expected);
  });

  it('sets observedGeneration and each condition observedGeneration to the generation it reconciled', () => {
    const status = statusOf(healthy);
    expect(status.observedGeneration).toBe(4);
    expect(status.conditions?.every((c) => c.observedGeneration === 4)).toBe(true);
  });

  it('lists every group with its phase, readiness and write permission, draining ones included', () => {
    const obs: ClusterObservation = {
      ...healthy,
      groups: [
        group(0, { endpoint: 'e0:8081' }),
        group(1, { workload: undefined, writable: undefined }),
        { ...leaving, drainStartedAt: NOW },
      ],
      drain: { group: 'prod-broker-2', decision: drainWait },
    };
    expect(statusOf(obs).groups).toEqual([
      { name: 'prod-broker-0', phase: 'Running', ready: true, writable: true, endpoint: 'e0:8081' },
      { name: 'prod-broker-1', phase: 'Pending', ready: false, writable: false },
      { name: 'prod-broker-2', phase: 'Draining', ready: true, writable: false, drainStartedAt: NOW },
    ]);
    expect(statusOf(obs).readyGroups).toBe(2);
    const removable = {
      ...obs,
      drain: {
        group: 'prod-broker-2',
        decision: { action: 'remove', reason: 'Drained', message: '' } as DrainDecision,
      },
    };
    expect(statusOf(removable).groups?.[2]?.phase).toBe('Drained');
  });

  it('lists external broker groups as ready when they answer and writable unless they report read-only', () => {
    const obs: ClusterObservation = {
      mode: 'External',
      generation: 1,
      paused: false,
      invalidSpec: undefined,
      brokers: [
        { name: 'a', reachable: true, adminUrl: 'http://a:8082' },
        { name: 'b', reachable: true, adminUrl: 'http://b:8082', writable: false },
        { name: 'c', reachable: false, adminUrl: 'http://c:8082' },
      ],
    };
    expect(statusOf(obs).groups?.map((g) => `${g.name} ${g.ready} ${g.writable}`)).toEqual([
      'a true true',
      'b true false',
      'c false false',
    ]);
    expect(statusOf(obs).readyGroups).toBe(2);
  });

  it('changes only Ready (Unknown, ReconciliationPaused) and keeps observedGeneration while paused', () => {
    const before = statusOf(healthy);
    const paused = clusterStatus({ ...healthy, generation: 5, paused: true, roll: rolling }, before, LATER).status;
    expect(summary(paused)).toEqual([
      'Ready=Unknown/ReconciliationPaused',
      'Available=True/AllGroupsServing',
      'Progressing=False/RolloutComplete',
      'Degraded=False/AsExpected',
    ]);
    expect(paused.observedGeneration).toBe(4);
  });

  it('keeps transition times across reconciles and asks for no write when nothing changed', () => {
    const first = clusterStatus(healthy, undefined, NOW);
    const second = clusterStatus(healthy, first.status, LATER);
    expect(second.changed).toBe(false);
    expect(second.status).toEqual(first.status);
    const rolled = clusterStatus({ ...healthy, roll: rolling }, second.status, LATER).status;
    const time = (s: BrokerClusterStatus, type: string) =>
      s.conditions?.find((c: Condition) => c.type === type)?.lastTransitionTime;
    expect(time(rolled, 'Ready')).toBe(LATER);
    expect(time(rolled, 'Available')).toBe(NOW);
  });
});
