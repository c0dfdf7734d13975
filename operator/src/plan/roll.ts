import type { ObservedPod, ObservedWorkload } from './observed.js';

/**
 * The roll planner: StatefulSets use `OnDelete`, so a pod moves to a new revision only when the operator deletes it.
 * Given the workloads in roll order (name servers, then broker groups by index), it names the next single pod to
 * delete, or why to wait. Rules, checked in this order:
 *  1. wait until every StatefulSet controller has caught up with its spec and published `updateRevision`;
 *  2. never two at once: wait while any pod is terminating, or any StatefulSet is missing pods;
 *  3. outdated pods (revision != updateRevision, or `rocketry.io/restart`) are candidates; none: done once all pods
 *     are ready;
 *  4. the candidate is in the first workload that has any; inside it an unready candidate first (it is down already),
 *     then the highest ordinal (replicas before ordinal 0);
 *  5. it is deleted only when every other pod of every workload is ready; otherwise wait for the unready one.
 * A wait on a pod unready for longer than `readyTimeoutMs` is `stalled` (Progressing=False, RolloutStalled): the roll
 * does not move on to other pods.
 */
export type RollDecision =
  | { action: 'delete-pod'; workload: string; pod: string; pending: number; reason: string }
  | {
      action: 'wait';
      blockedBy: 'controller' | 'terminating' | 'missing-pods' | 'not-ready';
      workload: string;
      pod?: string;
      pending: number;
      stalled: boolean;
      reason: string;
    }
  | { action: 'done'; pending: 0; reason: string };

export interface RollOptions {
  readonly nowMs: number;
  readonly readyTimeoutMs: number;
}

const isOutdated = (w: ObservedWorkload, p: ObservedPod) => p.revision !== w.updateRevision || p.restartRequested;

/** Pods the StatefulSet should have: ordinals at or above `replicas` are being scaled away, not rolled. */
const wanted = (w: ObservedWorkload) => w.pods.filter((p) => p.ordinal < w.replicas);

export function planRoll(workloads: readonly ObservedWorkload[], options: RollOptions): RollDecision {
  const lagging = workloads.find((w) => !w.controllerCaughtUp || w.updateRevision === undefined);
  const pending = workloads.reduce((n, w) => n + wanted(w).filter((p) => isOutdated(w, p)).length, 0);
  if (lagging) {
    return {
      action: 'wait',
      blockedBy: 'controller',
      workload: lagging.name,
      pending,
      stalled: false,
      reason: `StatefulSet ${lagging.name} has not published the revision of its latest spec yet`,
    };
  }
  for (const w of workloads) {
    const terminating = w.pods.find((p) => p.terminating);
    if (terminating) {
      return {
        action: 'wait',
        blockedBy: 'terminating',
        workload: w.name,
        pod: terminating.name,
        pending,
        stalled: false,
        reason: `pod ${terminating.name} is terminating`,
      };
    }
  }
  for (const w of workloads) {
    const present = new Set(wanted(w).map((p) => p.ordinal));
    if (present.size < w.replicas) {
      const missing = Array.from({ length: w.replicas }, (_, i) => i).filter((i) => !present.has(i));
      return {
        action: 'wait',
        blockedBy: 'missing-pods',
        workload: w.name,
        pod: `${w.name}-${missing[0]}`,
        pending,
        stalled: false,
        reason: `StatefulSet ${w.name} has ${present.size} of ${w.replicas} pods; waiting for ${missing.map((i) => `${w.name}-${i}`).join(', ')}`,
      };
    }
  }
  const candidate = pickCandidate(workloads);
  const blocker = firstUnready(workloads, candidate?.pod);
  if (blocker) {
    const stalled =
      blocker.pod.notReadySinceMs !== undefined &&
      options.nowMs - blocker.pod.notReadySinceMs >= options.readyTimeoutMs;
    const what = candidate ? `before restarting ${candidate.pod.name}` : 'to finish';
    return {
      action: 'wait',
      blockedBy: 'not-ready',
      workload: blocker.workload.name,
      pod: blocker.pod.name,
      pending,
      stalled,
      reason: `pod ${blocker.pod.name} is not ready${stalled ? ` after ${Math.round(options.readyTimeoutMs / 1000)} s` : ''}; waiting ${what}`,
    };
  }
  if (!candidate) return { action: 'done', pending: 0, reason: 'every pod runs its StatefulSet revision and is ready' };
  const why =
    candidate.pod.restartRequested && candidate.pod.revision === candidate.workload.updateRevision
      ? 'restart requested by annotation'
      : `revision ${candidate.pod.revision ?? 'unknown'} is not ${candidate.workload.updateRevision}`;
  return {
    action: 'delete-pod',
    workload: candidate.workload.name,
    pod: candidate.pod.name,
    pending,
    reason: `restarting ${candidate.pod.name}: ${why}; ${pending - 1} more after it`,
  };
}

function pickCandidate(workloads: readonly ObservedWorkload[]) {
  for (const workload of workloads) {
    const outdated = wanted(workload).filter((p) => isOutdated(workload, p));
    if (outdated.length === 0) continue;
    const pod = [...outdated].sort((a, b) => Number(a.ready) - Number(b.ready) || b.ordinal - a.ordinal)[0]!;
    return { workload, pod };
  }
  return undefined;
}

function firstUnready(workloads: readonly ObservedWorkload[], except: ObservedPod | undefined) {
  for (const workload of workloads) {
    const pod = wanted(workload).find((p) => !p.ready && p !== except);
    if (pod) return { workload, pod };
  }
  return undefined;
}
