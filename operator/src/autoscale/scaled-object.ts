import { createHash } from 'node:crypto';
import { API_VERSION, type ConsumerGroup } from '@rocketry/crds';
import { MANAGED_BY } from '../labels.js';

/** Where KEDA's ScaledObjects are served (their CRD comes with KEDA; 404 means KEDA is not installed). */
export const SCALED_OBJECT = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' } as const;
/** The port of the operator's external scaler (gRPC, `externalscaler.ExternalScaler`). */
export const SCALER_PORT = 8091;
/** Trigger metadata key naming the ConsumerGroup (in the ScaledObject's namespace) whose lag drives it. */
export const CONSUMER_GROUP_KEY = 'consumerGroup';
export const CONSUMER_GROUP_LABEL = 'rocketry.io/consumer-group';

export interface ScaledObject {
  apiVersion: 'keda.sh/v1alpha1';
  kind: 'ScaledObject';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ownerReferences: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller: boolean;
      blockOwnerDeletion: boolean;
    }[];
  };
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    pollingInterval: number;
    cooldownPeriod: number;
    minReplicaCount: number;
    maxReplicaCount: number;
    advanced: {
      horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: number } } };
    };
    triggers: { type: 'external'; metadata: Record<string, string> }[];
  };
}

export interface ScaledObjectContext {
  /** The operator's Service in front of the scaler port (its chart names it). */
  readonly scalerService: { readonly name: string; readonly namespace: string };
}

/** The HPA API's bound on a stabilisation window (one hour); longer cooldowns still apply to scaling to zero. */
const MAX_STABILIZATION_SECONDS = 3600;
/** KEDA labels what it creates with `scaledobject.keda.sh/name`, so the name must fit a label value (63). */
const MAX_NAME = 63;

/** `<consumer group>-mq`; a long name is cut and given a hash of the whole, so it stays unique and fits. */
export function scaledObjectName(consumerGroupName: string): string {
  const name = `${consumerGroupName}-mq`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(consumerGroupName).digest('hex').slice(0, 8);
  const head = consumerGroupName.slice(0, MAX_NAME - hash.length - 4).replace(/[-.]+$/, '');
  return `${head}-${hash}-mq`;
}

/** `<service>.<namespace>.svc:8091`: the address KEDA dials. */
export const scalerAddress = (ctx: ScaledObjectContext): string =>
  `${ctx.scalerService.name}.${ctx.scalerService.namespace}.svc:${SCALER_PORT}`;

/**
 * The KEDA ScaledObject of a ConsumerGroup in Keda mode: KEDA polls the operator's external scaler for the group's lag
 * and owns the HPA. `cooldownSeconds` is both KEDA's `cooldownPeriod` (last activity to zero replicas) and the HPA's
 * scale-down stabilisation window, so scale-down waits as long as in Builtin mode. Owned by the ConsumerGroup.
 */
export function renderScaledObject(cg: ConsumerGroup, ctx: ScaledObjectContext): ScaledObject {
  const a = cg.spec.autoscaling;
  const name = cg.metadata.name;
  if (!a || name === undefined || cg.metadata.uid === undefined) {
    throw new Error('renderScaledObject needs a stored ConsumerGroup (name, uid) with spec.autoscaling');
  }
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: scaledObjectName(name),
      namespace: cg.metadata.namespace ?? 'default',
      labels: {
        'app.kubernetes.io/name': 'rocketry',
        'app.kubernetes.io/part-of': 'rocketry',
        'app.kubernetes.io/managed-by': MANAGED_BY,
        [CONSUMER_GROUP_LABEL]: name.slice(0, MAX_NAME).replace(/[-.]+$/, ''),
      },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: 'ConsumerGroup',
          name,
          uid: cg.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      scaleTargetRef: { apiVersion: a.targetRef.apiVersion, kind: a.targetRef.kind, name: a.targetRef.name },
      pollingInterval: a.pollingSeconds,
      cooldownPeriod: a.cooldownSeconds,
      minReplicaCount: a.minReplicas,
      maxReplicaCount: a.maxReplicas,
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            scaleDown: { stabilizationWindowSeconds: Math.min(a.cooldownSeconds, MAX_STABILIZATION_SECONDS) },
          },
        },
      },
      triggers: [{ type: 'external', metadata: { scalerAddress: scalerAddress(ctx), [CONSUMER_GROUP_KEY]: name } }],
    },
  };
}
