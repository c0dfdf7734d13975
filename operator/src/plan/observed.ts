import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { isTrue, RESTART } from '../annotations.js';

/** What the planners need to know about a pod, read from the object the API returned. */
export interface ObservedPod {
  readonly name: string;
  readonly ordinal: number;
  /** The pod's `controller-revision-hash` label: which StatefulSet revision it was created from. */
  readonly revision: string | undefined;
  readonly ready: boolean;
  /** `deletionTimestamp` is set: it is going away, and counts as the one pod being disrupted. */
  readonly terminating: boolean;
  /** `rocketry.io/restart: "true"` on the pod asks the roller to restart it even at the current revision. */
  readonly restartRequested: boolean;
  /** Epoch ms since when it has not been ready (Ready condition's transition, else creation); undefined when ready. */
  readonly notReadySinceMs: number | undefined;
}

/** A StatefulSet and its pods, as the roll planner and the status helper see them. */
export interface ObservedWorkload {
  readonly name: string;
  readonly replicas: number;
  /** `status.updateRevision`; undefined until the StatefulSet controller has computed it. */
  readonly updateRevision: string | undefined;
  /** The StatefulSet controller has seen the latest spec (`status.observedGeneration >= metadata.generation`). */
  readonly controllerCaughtUp: boolean;
  readonly pods: readonly ObservedPod[];
}

/** client-node deserialises dates to Date; raw JSON gives strings. Both become epoch ms. */
function epochMs(value: Date | string | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function observePod(pod: V1Pod): ObservedPod {
  const name = pod.metadata?.name ?? '';
  const ordinal = Number(/-(\d+)$/.exec(name)?.[1] ?? Number.NaN);
  const readyCondition = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const ready = readyCondition?.status === 'True';
  return {
    name,
    ordinal,
    revision: pod.metadata?.labels?.['controller-revision-hash'],
    ready,
    terminating: epochMs(pod.metadata?.deletionTimestamp) !== undefined,
    restartRequested: isTrue(pod.metadata?.annotations, RESTART),
    notReadySinceMs: ready
      ? undefined
      : (epochMs(readyCondition?.lastTransitionTime) ?? epochMs(pod.metadata?.creationTimestamp)),
  };
}

/** Only the StatefulSet's own pods (by name prefix and ordinal), sorted by ordinal. */
export function observeWorkload(sts: V1StatefulSet, pods: readonly V1Pod[]): ObservedWorkload {
  const name = sts.metadata?.name ?? '';
  const own = pods
    .map(observePod)
    .filter((p) => p.name === `${name}-${p.ordinal}` && Number.isInteger(p.ordinal))
    .sort((a, b) => a.ordinal - b.ordinal);
  return {
    name,
    replicas: sts.spec?.replicas ?? 1,
    updateRevision: sts.status?.updateRevision,
    controllerCaughtUp: (sts.status?.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0),
    pods: own,
  };
}
