import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { type ObservedPod, type ObservedWorkload, observePod, observeWorkload } from './observed.js';
import { planRoll, type RollDecision } from './roll.js';

const NOW = 1_000_000_000;
const options = { nowMs: NOW, readyTimeoutMs: 300_000 };

/** `pod('b-1', 'r1')` is ready at r1; flags after: `unready`, `terminating`, `restart`, `stuck` (unready for 10 min). */
function pod(
  name: string,
  revision: string,
  ...flags: ('unready' | 'terminating' | 'restart' | 'stuck')[]
): ObservedPod {
  const unready = flags.includes('unready') || flags.includes('stuck');
  return {
    name,
    ordinal: Number(name.split('-').at(-1)),
    revision,
    ready: !unready,
    terminating: flags.includes('terminating'),
    restartRequested: flags.includes('restart'),
    notReadySinceMs: unready ? NOW - (flags.includes('stuck') ? 600_000 : 5_000) : undefined,
  };
}

function sts(
  name: string,
  updateRevision: string | undefined,
  pods: ObservedPod[],
  replicas = pods.length,
): ObservedWorkload {
  return { name, replicas, updateRevision, controllerCaughtUp: true, pods };
}

const summary = (d: RollDecision) =>
  d.action === 'delete-pod'
    ? `delete ${d.pod}`
    : d.action === 'wait'
      ? `wait ${d.blockedBy} ${d.pod ?? d.workload}${d.stalled ? ' stalled' : ''}`
      : 'done';

describe('planRoll', () => {
  const cases: [string, ObservedWorkload[], string][] = [
    [
      'is done when every pod runs the update revision and is ready',
      [sts('ns', 'r2', [pod('ns-0', 'r2')]), sts('b', 'r2', [pod('b-0', 'r2'), pod('b-1', 'r2')])],
      'done',
    ],
    [
      'restarts name servers before any broker group',
      [sts('ns', 'r2', [pod('ns-0', 'r1')]), sts('b', 'r2', [pod('b-0', 'r1')])],
      'delete ns-0',
    ],
    [
      'restarts the highest ordinal of a group first, so ordinal 0 goes last',
      [sts('b', 'r2', [pod('b-0', 'r1'), pod('b-1', 'r1'), pod('b-2', 'r1')])],
      'delete b-2',
    ],
    [
      'moves on to the next group once a group is rolled',
      [sts('a', 'r2', [pod('a-0', 'r2')]), sts('b', 'r9', [pod('b-0', 'r8')])],
      'delete b-0',
    ],
    [
      'never deletes a second pod while one is terminating',
      [sts('b', 'r2', [pod('b-0', 'r1'), pod('b-1', 'r1', 'terminating')])],
      'wait terminating b-1',
    ],
    [
      'skips terminating pods as candidates even in another group',
      [sts('a', 'r2', [pod('a-0', 'r1')]), sts('b', 'r2', [pod('b-0', 'r2', 'terminating')])],
      'wait terminating b-0',
    ],
    [
      'waits for the restarted pod to become ready before the next one',
      [sts('b', 'r2', [pod('b-0', 'r1'), pod('b-1', 'r2', 'unready')])],
      'wait not-ready b-1',
    ],
    [
      'waits for a pod the StatefulSet has not recreated yet',
      [sts('b', 'r2', [pod('b-0', 'r1')], 2)],
      'wait missing-pods b-1',
    ],
    [
      'does not roll one group while a pod of another group is not ready',
      [sts('a', 'r2', [pod('a-0', 'r1')]), sts('b', 'r2', [pod('b-0', 'r2', 'unready')])],
      'wait not-ready b-0',
    ],
    [
      'restarts an outdated pod that is not ready when all the others are ready (it is down already)',
      [sts('b', 'r2', [pod('b-0', 'r1'), pod('b-1', 'r1', 'unready')])],
      'delete b-1',
    ],
    [
      'refuses to restart while two pods are not ready, even if both are outdated',
      [sts('b', 'r2', [pod('b-0', 'r1', 'unready'), pod('b-1', 'r1', 'unready')])],
      'wait not-ready b-0',
    ],
    [
      'restarts a current pod that carries the restart annotation',
      [sts('b', 'r2', [pod('b-0', 'r2', 'restart'), pod('b-1', 'r2')])],
      'delete b-0',
    ],
    [
      'ignores pods at or above replicas (being scaled away)',
      [sts('b', 'r2', [pod('b-0', 'r2'), pod('b-1', 'r1', 'unready')], 1)],
      'done',
    ],
    [
      'reports a stall when the awaited pod stays unready past the timeout',
      [sts('b', 'r2', [pod('b-0', 'r1'), pod('b-1', 'r2', 'stuck')])],
      'wait not-ready b-1 stalled',
    ],
    [
      'waits while a finished roll has a pod that is not ready yet',
      [sts('b', 'r2', [pod('b-0', 'r2', 'unready')])],
      'wait not-ready b-0',
    ],
  ];
  it.each(cases)('%s', (_name, workloads, expected) => {
    expect(summary(planRoll(workloads, options))).toBe(expected);
  });

  it('waits until the StatefulSet controller has published the revision of the latest spec', () => {
    const behind = { ...sts('b', 'r1', [pod('b-0', 'r1')]), controllerCaughtUp: false };
    expect(summary(planRoll([behind], options))).toBe('wait controller b');
    expect(summary(planRoll([sts('b', undefined, [pod('b-0', 'r1')])], options))).toBe('wait controller b');
  });

  it('counts the pods still to roll and says why it restarts one', () => {
    const d = planRoll([sts('b', 'r2', [pod('b-0', 'r1'), pod('b-1', 'r1')])], options);
    expect(d).toMatchObject({ action: 'delete-pod', pod: 'b-1', pending: 2 });
    expect(d.reason).toBe('restarting b-1: revision r1 is not r2; 1 more after it');
  });

  it('never has two pods down at once over a whole simulated roll', () => {
    // Simulate: each delete makes the pod terminate, then come back at the new revision, unready, then ready.
    let pods = [0, 1, 2].map((i) => pod(`b-${i}`, 'r1'));
    const deleted: string[] = [];
    for (let step = 0; step < 50; step++) {
      expect(pods.filter((p) => !p.ready || p.terminating).length).toBeLessThanOrEqual(1);
      const d = planRoll([sts('b', 'r2', pods)], options);
      if (d.action === 'done') break;
      if (d.action === 'delete-pod') {
        deleted.push(d.pod);
        pods = pods.map((p) => (p.name === d.pod ? { ...p, terminating: true } : p));
      } else {
        pods = pods.map((p) => (p.terminating ? pod(p.name, 'r2', 'unready') : !p.ready ? pod(p.name, 'r2') : p));
      }
    }
    expect(deleted).toEqual(['b-2', 'b-1', 'b-0']);
    expect(pods.every((p) => p.revision === 'r2' && p.ready)).toBe(true);
  });
});

describe('observeWorkload', () => {
  it('reads revision, readiness, deletion and the restart annotation from pods, keeping only the StatefulSet own pods', () => {
    const set: V1StatefulSet = {
      metadata: { name: 'prod-broker-0', generation: 4 },
      spec: { replicas: 2, selector: {}, serviceName: 'x', template: {} },
      status: { replicas: 2, observedGeneration: 4, updateRevision: 'prod-broker-0-abc' },
    };
    const raw = (name: string, extra: Partial<V1Pod['metadata']>, ready: string): V1Pod => ({
      metadata: { name, labels: { 'controller-revision-hash': 'prod-broker-0-abc' }, ...extra },
      status: { conditions: [{ type: 'Ready', status: ready, lastTransitionTime: new Date('2026-01-01T00:00:00Z') }] },
    });
    const w = observeWorkload(set, [
      raw('prod-broker-0-1', { deletionTimestamp: new Date('2026-01-01T00:01:00Z') }, 'False'),
      raw('prod-broker-0-0', { annotations: { 'rocketry.io/restart': 'true' } }, 'True'),
      raw('prod-broker-10-0', {}, 'True'),
    ]);
    expect(w).toEqual({
      name: 'prod-broker-0',
      replicas: 2,
      updateRevision: 'prod-broker-0-abc',
      controllerCaughtUp: true,
      pods: [
        {
          name: 'prod-broker-0-0',
          ordinal: 0,
          revision: 'prod-broker-0-abc',
          ready: true,
          terminating: false,
          restartRequested: true,
          notReadySinceMs: undefined,
        },
        {
          name: 'prod-broker-0-1',
          ordinal: 1,
          revision: 'prod-broker-0-abc',
          ready: false,
          terminating: true,
          restartRequested: false,
          notReadySinceMs: Date.parse('2026-01-01T00:00:00Z'),
        },
      ],
    });
    expect(
      observePod({ metadata: { name: 'x-0', deletionTimestamp: '2026-01-01T00:00:00Z' as unknown as Date } })
        .terminating,
    ).toBe(true);
  });
});
