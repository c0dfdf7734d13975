import type { Autoscaling } from '@rocketry/crds';
import { type AutoscalerObservation, conflictingAutoscaler } from './autoscaler-conflicts.js';
import type { LagReading } from './lag-reading.js';

export type ScaleDecision =
  | { readonly action: 'scale'; readonly replicas: number; readonly reason: string }
  | { readonly action: 'hold'; readonly reason: string }
  | { readonly action: 'refuse'; readonly reason: string };

export interface ScaleDecisionInput {
  readonly autoscaling: Pick<Autoscaling, 'minReplicas' | 'maxReplicas' | 'lagPerReplica' | 'cooldownSeconds'>;
  readonly lag: LagReading;
  /** The target's `spec.replicas` as its scale subresource gives it. */
  readonly currentReplicas: number;
  /** `status.lastScaleTime` of the ConsumerGroup (RFC 3339), so the cooldown survives an operator restart. */
  readonly lastScaleTime: string | undefined;
  readonly nowMs: number;
  /** Other autoscalers that may own the target; omitted when the caller already checked. */
  readonly owners?: AutoscalerObservation;
}

/** `ceil(lag / lagPerReplica)` within `[minReplicas, maxReplicas]`; no lag gives `minReplicas` (0 allowed). */
export function desiredReplicas(
  lagMessages: number,
  a: Pick<Autoscaling, 'minReplicas' | 'maxReplicas' | 'lagPerReplica'>,
): number {
  const wanted = lagMessages <= 0 ? 0 : Math.ceil(lagMessages / a.lagPerReplica);
  return Math.min(a.maxReplicas, Math.max(a.minReplicas, wanted));
}

/**
 * The built-in scaler's decision for one poll.
 *
 * Cooldown follows the HPA and KEDA conventions: scaling **up** happens at once (a backlog should not wait; the HPA's
 * default scale-up stabilisation is 0 s), scaling **down** waits until `cooldownSeconds` have passed since the last
 * change (the HPA's scale-down stabilisation window, KEDA's `cooldownPeriod`), so replicas do not flap while a backlog
 * drains in bursts. The last change is `status.lastScaleTime`, not memory, so a restarted operator keeps the window.
 * Unknown lag (a broker that did not answer) never scales: scaling down on it could stop consumers with work left.
 */
export function decideReplicas(input: ScaleDecisionInput): ScaleDecision {
  const conflict = input.owners ? conflictingAutoscaler(input.owners) : undefined;
  if (conflict !== undefined) return { action: 'refuse', reason: `${conflict}; not scaling it as well` };
  if (input.lag.kind === 'unknown') return { action: 'hold', reason: `lag unknown (${input.lag.reason})` };

  const { autoscaling: a, currentReplicas: current } = input;
  const lag = input.lag.messages;
  const desired = desiredReplicas(lag, a);
  const why = lag === 0 ? 'no lag' : `lag ${lag} at ${a.lagPerReplica} per replica`;
  if (desired === current) return { action: 'hold', reason: `${why}: ${current} replicas already` };
  if (desired > current) return { action: 'scale', replicas: desired, reason: `${why}: ${current} -> ${desired}` };

  const waitMs = cooldownRemainingMs(input.lastScaleTime, a.cooldownSeconds, input.nowMs);
  if (waitMs > 0) {
    return {
      action: 'hold',
      reason: `${why}: ${current} -> ${desired} after the cooldown (${Math.ceil(waitMs / 1000)} s left)`,
    };
  }
  return { action: 'scale', replicas: desired, reason: `${why}: ${current} -> ${desired}` };
}

/** Milliseconds until a scale-down held by the cooldown may run (0 when none is pending). */
export function cooldownRemainingMs(lastScaleTime: string | undefined, cooldownSeconds: number, nowMs: number): number {
  const lastMs = lastScaleTime === undefined ? Number.NaN : Date.parse(lastScaleTime);
  return Number.isNaN(lastMs) ? 0 : Math.max(0, lastMs + cooldownSeconds * 1000 - nowMs);
}
