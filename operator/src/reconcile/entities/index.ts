import type { KubeObject } from '../../runtime/kube-object.js';
import type { Reconciler } from '../../runtime/reconciler.js';
import { consumerGroupReconciler } from './consumer-group-reconciler.js';
import type { EntityReconcilerDeps } from './entity-reconciler.js';
import { eventRuleReconciler } from './event-rule-reconciler.js';
import { topicReconciler } from './topic-reconciler.js';

export { consumerGroupKind, consumerGroupReconciler } from './consumer-group-reconciler.js';
export { ENTITY_FINALIZER } from './entity-kind.js';
export type { EntityReconcilerDeps } from './entity-reconciler.js';
export { eventRuleReconciler } from './event-rule-reconciler.js';
export { topicKind, topicReconciler } from './topic-reconciler.js';

/** The reconcilers of Topic, ConsumerGroup and EventRule, for `builtInReconcilers` (src/reconcile/index.ts). */
export function entityReconcilers(deps: EntityReconcilerDeps): Reconciler<KubeObject>[] {
  return [
    topicReconciler(deps),
    consumerGroupReconciler(deps),
    eventRuleReconciler(),
  ] as unknown as Reconciler<KubeObject>[];
}
