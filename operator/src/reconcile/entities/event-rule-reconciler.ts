import { type BrokerCluster, type EventRule, validateSpec } from '@rocketry/crds';
import { isTrue, PAUSE_RECONCILIATION } from '../../annotations.js';
import { type KubeObject, keyOf, type ObjectKey } from '../../runtime/kube-object.js';
import type { Reconciler } from '../../runtime/reconciler.js';
import { BROKER_CLUSTERS, EVENT_RULES } from '../../runtime/resources.js';
import { ClaimIndex } from './claims.js';
import { type ClusterTarget, clusterKeyOf, clusterTarget } from './cluster-target.js';
import type { ReadyUpdate } from './decide.js';
import { ENTITY_FINALIZER, type EntityObject } from './entity-kind.js';
import { entityStatus } from './entity-status.js';

/**
 * EventRule's Ready, honestly: the brokers have no eventing engine yet, so a valid rule on an existing cluster is
 * `Ready=False, reason NotSupported` and nothing is created anywhere (not even the rule's consumer group). Invalid
 * specs and missing clusters are still reported as such, so the object is ready to be synced once an engine exists.
 */
export function eventRuleReady(input: {
  readonly paused: boolean;
  readonly invalid: string | undefined;
  readonly target: ClusterTarget;
  readonly sourceTopic: string;
}): ReadyUpdate {
  if (input.paused) {
    return { status: 'Unknown', reason: 'ReconciliationPaused', message: 'rocketry.io/pause-reconciliation is "true"' };
  }
  if (input.invalid !== undefined) return { status: 'False', reason: 'InvalidSpec', message: input.invalid };
  const { target } = input;
  if (target.kind === 'not-found') return { status: 'False', reason: 'ClusterNotFound', message: target.message };
  if (target.kind === 'not-allowed') return { status: 'False', reason: 'NamespaceNotAllowed', message: target.message };
  return {
    status: 'False',
    reason: 'NotSupported',
    message:
      'Rocketry brokers have no eventing engine yet: this rule is stored but routes no events from topic ' +
      `${input.sourceTopic}, and nothing was created on the brokers`,
  };
}

type EventRuleObject = EventRule & EntityObject;

/** EventRule → status only (no finalizer, no broker calls) until the brokers can run rules. */
export function eventRuleReconciler(): Reconciler<EntityObject> {
  // Which rules reference which cluster (from informer events), so a cluster appearing or going re-checks them.
  const index = new ClaimIndex();
  const track = (obj: KubeObject): ObjectKey[] => {
    const rule = obj as EntityObject;
    const key = keyOf(rule);
    const ref = rule.spec?.clusterRef;
    if (ref?.name) index.record(key, clusterKeyOf(rule.metadata?.namespace ?? '', ref), key);
    else index.remove(key);
    return [];
  };
  return {
    kind: 'EventRule',
    resource: EVENT_RULES,
    workers: 2,
    watches: [
      { resource: EVENT_RULES, keys: track },
      { resource: BROKER_CLUSTERS, keys: (cluster) => index.keysOfClusterKey(keyOf(cluster)) },
    ],
    async reconcile(key, obj, ctx) {
      if (!obj) {
        index.remove(key);
        return {};
      }
      const { namespace = '', name = '', resourceVersion } = obj.metadata ?? {};
      if ((obj.metadata?.finalizers ?? []).includes(ENTITY_FINALIZER)) {
        // Never added by this operator; released so a rule from elsewhere cannot wedge its namespace.
        await ctx.client.mergePatch(EVENT_RULES, namespace, name, {
          metadata: { finalizers: obj.metadata?.finalizers?.filter((f) => f !== ENTITY_FINALIZER), resourceVersion },
        });
        return {};
      }
      if (obj.metadata?.deletionTimestamp) return {};
      const validation = validateSpec('EventRule', obj);
      const rule = obj as EventRuleObject;
      const ref = rule.spec?.clusterRef;
      const target: ClusterTarget = ref?.name
        ? clusterTarget(
            namespace,
            ref,
            ctx.cache<BrokerCluster & KubeObject>(BROKER_CLUSTERS).get(clusterKeyOf(namespace, ref)),
          )
        : { kind: 'not-found', message: 'spec.clusterRef is missing' };
      const paused = isTrue(obj.metadata?.annotations, PAUSE_RECONCILIATION);
      const ready = eventRuleReady({
        paused,
        invalid: validation.valid ? undefined : validation.message,
        target,
        sourceTopic: String(rule.spec?.source?.topic ?? ''),
      });
      const { patch, changed } = entityStatus(
        obj.status,
        ready,
        obj.metadata?.generation,
        {},
        ctx.now().toISOString(),
        {
          keepGeneration: paused,
        },
      );
      if (changed) {
        await ctx.client.mergePatch(
          EVENT_RULES,
          namespace,
          name,
          { metadata: { resourceVersion }, status: patch },
          'status',
        );
      }
      return {};
    },
  };
}
