/**
 * Who else scales a workload. Two autoscalers on one `/scale` fight (each undoes the other's writes), so the built-in
 * scaler writes nothing while an HPA, a KEDA ScaledObject, an ownership annotation or an older ConsumerGroup claims
 * the same target; KEDA's admission webhook refuses the same way (`verifyHpas`, `verifyScaledObjects`). Pure: the
 * caller lists the objects.
 */

/** On a workload: which object scales it (`ConsumerGroup/<name>` for ours). Any other value keeps us off it. */
export const AUTOSCALED_BY = 'rocketry.io/autoscaled-by';

export interface TargetRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

interface ObjectMeta {
  readonly name?: string;
  readonly uid?: string;
  readonly creationTimestamp?: string | Date;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly { readonly kind: string; readonly name: string; readonly uid: string }[];
}

/** An autoscaling/v2 (or v1) HorizontalPodAutoscaler, as listed. */
export interface HpaLike {
  readonly metadata?: ObjectMeta;
  readonly spec?: { readonly scaleTargetRef?: Partial<TargetRef> };
}

/** A `keda.sh/v1alpha1` ScaledObject, as listed. */
export interface ScaledObjectLike {
  readonly metadata?: ObjectMeta;
  readonly spec?: { readonly scaleTargetRef?: Partial<TargetRef> };
}

/** Another ConsumerGroup of the namespace, as listed (only its autoscaling target matters). */
export interface ConsumerGroupLike {
  readonly metadata?: ObjectMeta;
  readonly spec?: { readonly autoscaling?: { readonly targetRef?: Partial<TargetRef> } };
}

export interface AutoscalerObservation {
  /** The ConsumerGroup that wants to scale the target. */
  readonly self: { readonly name: string; readonly uid?: string; readonly creationTimestamp?: string | Date };
  /** `spec.autoscaling.mode`: in Keda mode our own ScaledObject (and the HPA KEDA made for it) is no conflict. */
  readonly mode: 'Builtin' | 'Keda';
  readonly target: TargetRef;
  /** The target's annotations; undefined when not read. */
  readonly targetAnnotations?: Readonly<Record<string, string>>;
  /** HPAs of the target's namespace. */
  readonly hpas: readonly HpaLike[];
  /** ScaledObjects of the target's namespace ([] where KEDA is not installed). */
  readonly scaledObjects: readonly ScaledObjectLike[];
  /** ConsumerGroups of the namespace (self may be among them). */
  readonly consumerGroups?: readonly ConsumerGroupLike[];
}

/** `ConsumerGroup/<name>`: the {@link AUTOSCALED_BY} value that names a ConsumerGroup. */
export const autoscaledByValue = (consumerGroupName: string): string => `ConsumerGroup/${consumerGroupName}`;

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/**
 * Whether a reference names the target: same name and kind, and same API group (versions of a group serve the same
 * objects). A reference without apiVersion or kind takes the defaults its owner applies (apps/v1, Deployment).
 */
export function refersTo(ref: Partial<TargetRef> | undefined, target: TargetRef): boolean {
  if (ref?.name !== target.name) return false;
  if ((ref.kind ?? 'Deployment') !== target.kind) return false;
  return groupOf(ref.apiVersion ?? 'apps/v1') === groupOf(target.apiVersion);
}

const describe = (t: TargetRef): string => `${t.kind}/${t.name}`;

const ownedBy = (meta: ObjectMeta | undefined, kind: string, name: string, uid: string | undefined): boolean =>
  (meta?.ownerReferences ?? []).some((o) => o.kind === kind && o.name === name && (uid === undefined || o.uid === uid));

const createdMs = (t: string | Date | undefined): number =>
  t === undefined ? Number.POSITIVE_INFINITY : t instanceof Date ? t.getTime() : Date.parse(t);

/** Older first; equal times by name, so exactly one of two claimants wins. */
function olderThan(a: ObjectMeta | undefined, b: AutoscalerObservation['self']): boolean {
  const ta = createdMs(a?.creationTimestamp);
  const tb = createdMs(b.creationTimestamp);
  return ta !== tb ? ta < tb : (a?.name ?? '') < b.name;
}

/** Why another autoscaler owns the target, or undefined when nothing else scales it. */
export function conflictingAutoscaler(o: AutoscalerObservation): string | undefined {
  const claim = o.targetAnnotations?.[AUTOSCALED_BY];
  if (claim !== undefined && claim !== autoscaledByValue(o.self.name)) {
    return `${describe(o.target)} is annotated ${AUTOSCALED_BY}=${claim}`;
  }
  const ours = (so: ScaledObjectLike) =>
    o.mode === 'Keda' && ownedBy(so.metadata, 'ConsumerGroup', o.self.name, o.self.uid);
  const ourScaledObjects = o.scaledObjects.filter(ours).map((so) => so.metadata?.name ?? '');
  for (const so of o.scaledObjects) {
    if (!ours(so) && refersTo(so.spec?.scaleTargetRef, o.target)) {
      return `KEDA ScaledObject ${so.metadata?.name ?? '?'} scales ${describe(o.target)}`;
    }
  }
  for (const hpa of o.hpas) {
    const kedas = ourScaledObjects.some((name) => ownedBy(hpa.metadata, 'ScaledObject', name, undefined));
    if (!kedas && refersTo(hpa.spec?.scaleTargetRef, o.target)) {
      return `HorizontalPodAutoscaler ${hpa.metadata?.name ?? '?'} scales ${describe(o.target)}`;
    }
  }
  for (const cg of o.consumerGroups ?? []) {
    const same = o.self.uid !== undefined ? cg.metadata?.uid === o.self.uid : cg.metadata?.name === o.self.name;
    if (!same && refersTo(cg.spec?.autoscaling?.targetRef, o.target) && olderThan(cg.metadata, o.self)) {
      return `ConsumerGroup ${cg.metadata?.name ?? '?'} already scales ${describe(o.target)}`;
    }
  }
  return undefined;
}
