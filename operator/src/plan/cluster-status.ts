import { type BrokerClusterStatus, type BrokerGroupStatus, sameJson } from '@rocketry/crds';
import { type ConditionUpdate, setConditions } from './conditions.js';
import type { DrainDecision } from './drain.js';
import type { ObservedWorkload } from './observed.js';
import type { RollDecision } from './roll.js';

/** One broker group as the reconciler observed it. */
export interface GroupObservation {
  readonly name: string;
  /** Its StatefulSet and pods; undefined before the StatefulSet exists. */
  readonly workload: ObservedWorkload | undefined;
  /** The brokers' write permission; undefined when they did not answer. */
  readonly writable: boolean | undefined;
  /** At or above spec.brokers.groups: being drained. */
  readonly leaving: boolean;
  readonly endpoint?: string;
  readonly adminUrl?: string;
  readonly drainStartedAt?: string;
}

/** Everything the BrokerCluster status is computed from; the reconciler gathers it, this module only decides. */
export type ClusterObservation =
  | {
      readonly mode: 'Managed';
      readonly generation: number;
      readonly paused: boolean;
      /** The InvalidSpec message, when validation or resolution failed. */
      readonly invalidSpec: string | undefined;
      readonly nameServer: ObservedWorkload | undefined;
      readonly groups: readonly GroupObservation[];
      readonly roll: RollDecision | undefined;
      /** The decision for the group being drained now, if any. */
      readonly drain: { readonly group: string; readonly decision: DrainDecision } | undefined;
      readonly endpoints?: BrokerClusterStatus['endpoints'];
    }
  | {
      readonly mode: 'External';
      readonly generation: number;
      readonly paused: boolean;
      readonly invalidSpec: string | undefined;
      /** Per external broker group: did its admin API answer, and its write permission when it did. */
      readonly brokers: readonly {
        readonly name: string;
        readonly reachable: boolean;
        readonly adminUrl: string;
        readonly writable?: boolean;
      }[];
      readonly endpoints?: BrokerClusterStatus['endpoints'];
    };

const readyPods = (w: ObservedWorkload | undefined) => w?.pods.filter((p) => p.ready && !p.terminating).length ?? 0;
const allReady = (w: ObservedWorkload | undefined) =>
  w !== undefined && w.replicas > 0 && readyPods(w) >= w.replicas && w.pods.every((p) => p.ready && !p.terminating);

type ManagedObservation = Extract<ClusterObservation, { mode: 'Managed' }>;

function groupStatus(g: GroupObservation, drain: ManagedObservation['drain']): BrokerGroupStatus {
  const ready = allReady(g.workload);
  const removable = drain?.group === g.name && drain.decision.action === 'remove';
  const phase: BrokerGroupStatus['phase'] = g.leaving
    ? removable
      ? 'Drained'
      : 'Draining'
    : ready
      ? 'Running'
      : 'Pending';
  const status: BrokerGroupStatus = { name: g.name, phase, ready, writable: g.writable === true };
  if (g.endpoint) status.endpoint = g.endpoint;
  if (g.adminUrl) status.adminUrl = g.adminUrl;
  if (g.drainStartedAt) status.drainStartedAt = g.drainStartedAt;
  return status;
}

/**
 * Ready, Available, Progressing and Degraded for a BrokerCluster, plus observedGeneration, groups and endpoints,
 * merged into the previous status (transition times kept when a status does not flip). Paused: only Ready changes
 * (Unknown, ReconciliationPaused) and observedGeneration stays where it was.
 */
export function clusterStatus(
  obs: ClusterObservation,
  previous: BrokerClusterStatus | undefined,
  nowIso: string,
): { status: BrokerClusterStatus; changed: boolean } {
  const gen = obs.generation;
  const cond = (type: string, status: ConditionUpdate['status'], reason: string, message = ''): ConditionUpdate => ({
    type,
    status,
    reason,
    message,
    observedGeneration: gen,
  });
  if (obs.paused) {
    const merged = setConditions(
      previous?.conditions,
      [cond('Ready', 'Unknown', 'ReconciliationPaused', 'rocketry.io/pause-reconciliation is "true"')],
      nowIso,
    );
    return { status: { ...previous, conditions: merged.conditions }, changed: merged.changed };
  }
  const updates = obs.mode === 'External' ? externalConditions(obs, cond) : managedConditions(obs, cond);
  const merged = setConditions(previous?.conditions, updates, nowIso);
  const status: BrokerClusterStatus = { ...previous, observedGeneration: gen, conditions: merged.conditions };
  if (obs.endpoints) status.endpoints = obs.endpoints;
  if (obs.mode === 'Managed') {
    status.groups = obs.groups.map((g) => groupStatus(g, obs.drain));
    status.readyGroups = status.groups.filter((g) => g.ready).length;
  } else {
    status.groups = obs.brokers.map((b) => ({
      name: b.name,
      phase: 'Running',
      ready: b.reachable,
      writable: b.reachable && b.writable !== false,
      adminUrl: b.adminUrl,
    }));
    status.readyGroups = obs.brokers.filter((b) => b.reachable).length;
  }
  // Compared by value, key order aside: the API server returns custom resources with sorted keys.
  return { status, changed: merged.changed || !sameJson(status, previous ?? {}) };
}

type Cond = (type: string, status: ConditionUpdate['status'], reason: string, message?: string) => ConditionUpdate;

function managedConditions(obs: ManagedObservation, cond: Cond): ConditionUpdate[] {
  const serving = obs.groups.filter((g) => !g.leaving && g.writable !== false && readyPods(g.workload) > 0);
  const writable = obs.groups.filter((g) => !g.leaving);
  const notReady = [
    ...(allReady(obs.nameServer) ? [] : ['name server']),
    ...obs.groups.filter((g) => !allReady(g.workload)).map((g) => g.name),
  ];
  let available: ConditionUpdate;
  if (readyPods(obs.nameServer) === 0)
    available = cond('Available', 'False', 'NameServerUnavailable', 'no name server is ready');
  else if (serving.length === 0)
    available = cond('Available', 'False', 'NoGroupServing', 'no writable broker group has a ready broker');
  else if (serving.length < writable.length) {
    const down = writable.filter((g) => !serving.includes(g)).map((g) => g.name);
    available = cond('Available', 'True', 'SomeGroupsServing', `not serving: ${down.join(', ')}`);
  } else available = cond('Available', 'True', 'AllGroupsServing');

  const { roll, drain } = obs;
  const rollStalled = roll?.action === 'wait' && roll.stalled;
  let progressing: ConditionUpdate;
  if (drain?.decision.action === 'refuse')
    progressing = cond('Progressing', 'False', 'WouldOrphanTopic', drain.decision.message);
  else if (drain?.decision.action === 'wait' && drain.decision.stalled) {
    progressing = cond('Progressing', 'False', 'DrainStalled', drain.decision.message);
  } else if (drain) progressing = cond('Progressing', 'True', 'Draining', drain.decision.message);
  else if (roll && roll.pending > 0) {
    progressing = rollStalled
      ? cond('Progressing', 'False', 'RolloutStalled', roll.reason)
      : cond('Progressing', 'True', 'RollingUpdate', roll.reason);
  } else if (notReady.length > 0) {
    progressing = rollStalled
      ? cond('Progressing', 'False', 'RolloutStalled', roll?.reason)
      : cond('Progressing', 'True', 'ScalingUp', `starting: ${notReady.join(', ')}`);
  } else progressing = cond('Progressing', 'False', 'RolloutComplete');

  const degraded = rollStalled
    ? cond('Degraded', 'True', 'PodNotReady', roll.reason)
    : available.reason === 'SomeGroupsServing' && progressing.status === 'False'
      ? cond('Degraded', 'True', 'GroupNotReady', available.message)
      : available.status === 'False' && progressing.status === 'False'
        ? cond('Degraded', 'True', available.reason, available.message)
        : cond('Degraded', 'False', 'AsExpected');

  let ready: ConditionUpdate;
  if (obs.invalidSpec !== undefined) ready = cond('Ready', 'False', 'InvalidSpec', obs.invalidSpec);
  else if (drain?.decision.action === 'refuse')
    ready = cond('Ready', 'False', 'WouldOrphanTopic', drain.decision.message);
  else if (progressing.reason === 'RolloutComplete' && available.reason === 'AllGroupsServing') {
    ready = cond('Ready', 'True', 'Reconciled');
  } else {
    ready = cond('Ready', 'False', 'Provisioning', [progressing.message, available.message].filter(Boolean).join('; '));
  }
  if (obs.invalidSpec !== undefined) progressing = cond('Progressing', 'False', 'InvalidSpec', obs.invalidSpec);
  return [ready, available, progressing, degraded];
}

function externalConditions(obs: Extract<ClusterObservation, { mode: 'External' }>, cond: Cond): ConditionUpdate[] {
  const down = obs.brokers.filter((b) => !b.reachable).map((b) => b.name);
  const up = obs.brokers.length - down.length;
  const available =
    up === 0
      ? cond('Available', 'False', 'BrokersUnreachable', `unreachable: ${down.join(', ')}`)
      : down.length > 0
        ? cond('Available', 'True', 'SomeBrokersReachable', `unreachable: ${down.join(', ')}`)
        : cond('Available', 'True', 'BrokersReachable');
  const ready =
    obs.invalidSpec !== undefined
      ? cond('Ready', 'False', 'InvalidSpec', obs.invalidSpec)
      : down.length === 0
        ? cond('Ready', 'True', 'Reconciled')
        : cond('Ready', 'False', 'BrokersUnreachable', available.message);
  return [
    ready,
    available,
    cond('Progressing', 'False', obs.invalidSpec !== undefined ? 'InvalidSpec' : 'RolloutComplete', obs.invalidSpec),
    down.length > 0
      ? cond('Degraded', 'True', 'BrokersUnreachable', available.message)
      : cond('Degraded', 'False', 'AsExpected'),
  ];
}
