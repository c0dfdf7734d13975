import { type EntityReconcilerDeps, entityReconcilers } from '../../src/reconcile/entities/index.js';
import { builtInReconcilers, type ReconcilerDeps } from '../../src/reconcile/index.js';
import type { KubeObject } from '../../src/runtime/kube-object.js';
import type { Reconciler } from '../../src/runtime/reconciler.js';

/**
 * The operator's built-in reconcilers with the entity ones (Topic, ConsumerGroup, EventRule) built with test timings:
 * the set `runOperator` runs, each kind once, whether or not `builtInReconcilers` lists the entity kinds yet.
 */
export function operatorReconcilers(
  deps: ReconcilerDeps,
  entity: Omit<EntityReconcilerDeps, 'brokerAdmin'> = {},
): Reconciler<KubeObject>[] {
  const entities = entityReconcilers({ brokerAdmin: deps.brokerAdmin, ...entity });
  const kinds = new Set(entities.map((r) => r.kind));
  return [...builtInReconcilers(deps).filter((r) => !kinds.has(r.kind)), ...entities];
}
