import { ApiException, AutoscalingV2Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { ConsumerGroup, ConsumerGroupStatus } from '@rocketry/crds';
import type { AutoscalerObservation, ConsumerGroupLike, ScaledObjectLike, TargetRef } from './autoscaler-conflicts.js';
import { cooldownRemainingMs, decideReplicas, type ScaleDecision } from './decide-replicas.js';
import type { LagReading } from './lag-reading.js';
import { ScaleTargets } from './scale-target.js';
import { SCALED_OBJECT } from './scaled-object.js';

export type AutoscalingReason = 'Scaling' | 'TargetNotFound' | 'ConflictingAutoscaler';

/** The `AutoscalingReady` condition the reconcile should set (it owns lastTransitionTime and observedGeneration). */
export interface AutoscalingCondition {
  readonly type: 'AutoscalingReady';
  readonly status: 'True' | 'False';
  readonly reason: AutoscalingReason;
  readonly message: string;
}

export type AutoscaleStatus = Pick<
  ConsumerGroupStatus,
  'lag' | 'lagUpdatedAt' | 'replicas' | 'desiredReplicas' | 'lastScaleTime'
>;

export interface BuiltinPollInput {
  /** The ConsumerGroup as read (CRD defaults applied), with `spec.autoscaling.mode: Builtin`. */
  readonly consumerGroup: ConsumerGroup;
  /** Its lag now (readClusterLag, or the runtime's shared lag poller). */
  readonly lag: LagReading;
  readonly nowMs: number;
  /** The namespace's ConsumerGroups from the informer cache, so two groups never scale one workload. */
  readonly consumerGroups?: readonly ConsumerGroupLike[];
}

export interface BuiltinPollResult {
  /** `hold` also covers a target that cannot be read (see `condition`). */
  readonly decision: ScaleDecision;
  /** Whether `/scale` was written. */
  readonly scaled: boolean;
  readonly condition: AutoscalingCondition;
  /** Fields to merge into `status` (unchanged ones included, so a merge patch of them is idempotent). */
  readonly status: AutoscaleStatus;
  /** When to poll again: `pollingSeconds`, or sooner when a held scale-down's cooldown ends first. */
  readonly requeueAfterMs: number;
}

const isNotFound = (err: unknown) => err instanceof ApiException && err.code === 404;

/**
 * The built-in mode, one poll per call: read the target's scale, look for other autoscalers of it, decide, and write
 * `/scale` (with the scale's resourceVersion as precondition, so a concurrent change is a 409 the reconcile retries).
 * The caller writes the returned status and condition; `lastScaleTime` is what makes the cooldown survive restarts.
 */
export class BuiltinAutoscaler {
  private readonly targets: ScaleTargets;
  private readonly autoscaling: AutoscalingV2Api;
  private readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.targets = new ScaleTargets(kc);
    this.autoscaling = kc.makeApiClient(AutoscalingV2Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  async poll(input: BuiltinPollInput): Promise<BuiltinPollResult> {
    const cg = input.consumerGroup;
    const a = cg.spec.autoscaling;
    if (!a) throw new Error(`ConsumerGroup ${cg.metadata.name} has no spec.autoscaling`);
    const namespace = cg.metadata.namespace ?? 'default';
    const target: TargetRef = a.targetRef;
    const previous = cg.status ?? {};
    const lagStatus: AutoscaleStatus =
      input.lag.kind === 'known'
        ? { lag: input.lag.messages, lagUpdatedAt: new Date(input.nowMs).toISOString() }
        : { lag: previous.lag, lagUpdatedAt: previous.lagUpdatedAt };
    const kept: AutoscaleStatus = {
      ...lagStatus,
      replicas: previous.replicas,
      desiredReplicas: previous.desiredReplicas,
      lastScaleTime: previous.lastScaleTime,
    };
    const pollMs = a.pollingSeconds * 1000;

    const read = await this.targets.read(namespace, target);
    if (read.kind !== 'found') {
      return {
        decision: { action: 'hold', reason: read.reason },
        scaled: false,
        condition: { type: 'AutoscalingReady', status: 'False', reason: 'TargetNotFound', message: read.reason },
        status: kept,
        requeueAfterMs: pollMs,
      };
    }
    const current = read.scale.replicas;
    const owners = await this.observe(namespace, target, input);
    const decision = decideReplicas({
      autoscaling: a,
      lag: input.lag,
      currentReplicas: current,
      lastScaleTime: previous.lastScaleTime,
      nowMs: input.nowMs,
      owners,
    });
    if (decision.action === 'refuse') {
      return {
        decision,
        scaled: false,
        condition: {
          type: 'AutoscalingReady',
          status: 'False',
          reason: 'ConflictingAutoscaler',
          message: decision.reason,
        },
        status: { ...kept, replicas: current },
        requeueAfterMs: pollMs,
      };
    }
    const condition: AutoscalingCondition = {
      type: 'AutoscalingReady',
      status: 'True',
      reason: 'Scaling',
      message: decision.reason,
    };
    if (decision.action === 'hold') {
      const cooldownMs = cooldownRemainingMs(previous.lastScaleTime, a.cooldownSeconds, input.nowMs);
      return {
        decision,
        scaled: false,
        condition,
        status: { ...kept, replicas: current },
        requeueAfterMs: cooldownMs > 0 ? Math.min(pollMs, cooldownMs) : pollMs,
      };
    }
    await this.targets.write(namespace, target, decision.replicas, read.scale.resourceVersion);
    return {
      decision,
      scaled: true,
      condition,
      status: {
        ...lagStatus,
        replicas: decision.replicas,
        desiredReplicas: decision.replicas,
        lastScaleTime: new Date(input.nowMs).toISOString(),
      },
      requeueAfterMs: pollMs,
    };
  }

  /** Everything that may also scale the target: its annotations, the namespace's HPAs and KEDA ScaledObjects. */
  async observe(namespace: string, target: TargetRef, input: BuiltinPollInput): Promise<AutoscalerObservation> {
    const cg = input.consumerGroup;
    const [targetAnnotations, hpas, scaledObjects] = await Promise.all([
      this.targets.annotations(namespace, target),
      this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }).then((l) => l.items),
      this.listScaledObjects(namespace),
    ]);
    return {
      self: { name: cg.metadata.name ?? '', uid: cg.metadata.uid, creationTimestamp: cg.metadata.creationTimestamp },
      mode: cg.spec.autoscaling?.mode ?? 'Builtin',
      target,
      targetAnnotations,
      hpas,
      scaledObjects,
      consumerGroups: input.consumerGroups,
    };
  }

  /** [] where KEDA's CRDs are not installed (the API answers 404). */
  private async listScaledObjects(namespace: string): Promise<ScaledObjectLike[]> {
    try {
      const list = (await this.custom.listNamespacedCustomObject({ ...SCALED_OBJECT, namespace })) as {
        items?: ScaledObjectLike[];
      };
      return list.items ?? [];
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }
}
