import type { V1Pod, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { type BrokerCluster, type BrokerClusterStatus, validateSpec } from '@rocketry/crds';
import { isTrue, PAUSE_RECONCILIATION, SKIP_DRAIN } from '../annotations.js';
import { CLUSTER_LABEL, MANAGED_BY } from '../labels.js';
import * as names from '../names.js';
import { type ClusterObservation, clusterStatus, type GroupObservation } from '../plan/cluster-status.js';
import { type DrainDecision, defaultDrainOptions } from '../plan/drain.js';
import { type ObservedWorkload, observeWorkload } from '../plan/observed.js';
import { planRoll, type RollDecision } from '../plan/roll.js';
import { planScaleDown } from '../plan/scale-down.js';
import { clusterEndpoints, groupEndpoints, renderBrokerCluster } from '../render/broker-cluster.js';
import { ADMIN_PORT } from '../render/ports.js';
import type { RenderContext } from '../render/render-context.js';
import { type ResolvedCluster, resolveClusterSpec } from '../render/resolve-cluster-spec.js';
import { writeStatus } from '../runtime/apply.js';
import { type KubeObject, objectKey } from '../runtime/kube-object.js';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../runtime/reconciler.js';
import { BROKER_CLUSTERS, CONFIG_MAPS, PDBS, PODS, SECRETS, SERVICES, STATEFULSETS } from '../runtime/resources.js';
import { adminToken } from './admin-token.js';
import { groupWritable, type LiveGroup, observeGroup, planGroupDrain } from './broker-groups.js';
import { observeExternal } from './external-cluster.js';
import type { ReconcilerDeps } from './index.js';
import { applyAll, controlledBy, pruneUnrendered } from './owned-objects.js';

type Cluster = BrokerCluster & KubeObject;

const MANAGED = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
const owned = (resource: typeof CONFIG_MAPS) => ({ resource, labelSelector: MANAGED });

/**
 * BrokerCluster: validate → resolve → (admin Secret once) → drain step of a scale-down → render → apply → prune →
 * roll one pod → status. Level-based: every step reads what is there now (caches, brokers' admin APIs) and the next
 * reconcile picks up where this one stopped; nothing is remembered in memory. A drain's start time lives in
 * `status.groups[].drainStartedAt`, a roll's progress in the pods' revisions.
 */
export function brokerClusterReconciler(deps: ReconcilerDeps): Reconciler<Cluster> {
  const pollMs = deps.pollMs ?? 5_000;
  const drainOptions = {
    ...defaultDrainOptions,
    ...(deps.drainTimeoutMs !== undefined && { timeoutMs: deps.drainTimeoutMs }),
    ...(deps.drainPollMs !== undefined && { pollMs: deps.drainPollMs }),
  };
  const readyTimeoutMs = deps.rollReadyTimeoutMs ?? 10 * 60_000;
  const renderCtx = (retainedGroups: number[]): RenderContext => ({
    clusterDomain: deps.clusterDomain,
    podDisruptionBudgets: deps.podDisruptionBudgets,
    retainedGroups,
  });

  async function status(cr: Cluster, obs: ClusterObservation, ctx: ReconcileContext): Promise<void> {
    const { status: next, changed } = clusterStatus(obs, cr.status, ctx.now().toISOString());
    if (!changed) return;
    const before = cr.status?.conditions?.find((c) => c.type === 'Ready');
    const ready = next.conditions?.find((c) => c.type === 'Ready');
    await writeStatus(ctx.client, BROKER_CLUSTERS, cr, next);
    if (ready && (ready.status !== before?.status || ready.reason !== before?.reason)) {
      ctx.events.record(
        cr,
        ready.status === 'False' ? 'Warning' : 'Normal',
        ready.reason,
        ready.message || ready.reason,
      );
    }
  }

  async function invalid(cr: Cluster, message: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const mode = cr.spec?.mode === 'External' ? 'External' : 'Managed';
    const generation = cr.metadata.generation ?? 0;
    const base = { generation, paused: false, invalidSpec: message };
    const obs: ClusterObservation =
      mode === 'External'
        ? { ...base, mode, brokers: [] }
        : { ...base, mode, nameServer: undefined, groups: [], roll: undefined, drain: undefined };
    ctx.log.warn({ problems: message }, 'invalid spec');
    await status(cr, obs, ctx);
    // Not retried: a change of the object brings it back (the status write above does not).
    return {};
  }

  async function reconcile(_key: string, cr: Cluster | undefined, ctx: ReconcileContext): Promise<ReconcileResult> {
    if (!cr || cr.metadata.deletionTimestamp) return {}; // owner references let the garbage collector clean up
    const generation = cr.metadata.generation ?? 0;
    if (isTrue(cr.metadata.annotations, PAUSE_RECONCILIATION)) {
      await status(cr, { mode: 'Managed', generation, paused: true } as ClusterObservation, ctx);
      return {};
    }
    const validated = validateSpec('BrokerCluster', cr);
    if (!validated.valid) return invalid(cr, validated.message, ctx);
    const resolved = resolveClusterSpec(validated.object, { image: deps.image });
    if (resolved.kind === 'invalid') return invalid(cr, resolved.problems.join('; '), ctx);
    const cluster = resolved.cluster;
    if (cluster.mode === 'External') {
      const brokers = await observeExternal(cr, { client: ctx.client, brokerAdmin: deps.brokerAdmin });
      const nameServer = cr.spec.external?.nameServer;
      await status(
        cr,
        {
          mode: 'External',
          generation,
          paused: false,
          invalidSpec: undefined,
          brokers,
          ...(nameServer !== undefined && { endpoints: { nameServer } }),
        },
        ctx,
      );
      return { requeueAfterMs: deps.externalPollMs ?? 30_000 };
    }
    return reconcileManaged(cr, cluster, ctx);
  }

  async function reconcileManaged(cr: Cluster, cluster: ResolvedCluster, ctx: ReconcileContext) {
    const ns = cluster.namespace;
    const token = await adminToken(cluster, cr, {
      client: ctx.client,
      secrets: ctx.cache<V1Secret & KubeObject>(SECRETS),
      events: ctx.events,
    });
    if (token === undefined) {
      throw new Error(`admin token ${cluster.adminToken.secretName}/${cluster.adminToken.key} not found`);
    }
    const statefulSets = ctx.cache<V1StatefulSet & KubeObject>(STATEFULSETS).list(controlledBy(cluster.uid));
    const pods = ctx
      .cache<V1Pod & KubeObject>(PODS)
      .list((p) => p.metadata?.namespace === ns && p.metadata?.labels?.[CLUSTER_LABEL] === cluster.name);
    const existing = statefulSets
      .map((s) => names.brokerGroupIndex(cluster, s.metadata?.name ?? ''))
      .filter((i): i is number => i !== undefined);
    const indexes = [...new Set([...existing, ...Array.from({ length: cluster.brokers.groups }, (_, i) => i)])].sort(
      (a, b) => a - b,
    );

    // Brokers' write permission, for status and the drain (only groups with pods: nothing answers otherwise).
    const live = await Promise.all(
      indexes.map((i) => {
        const sts = names.brokerStatefulSet(cluster, i);
        const groupPods = pods.filter((p) => p.metadata?.name?.startsWith(`${sts}-`));
        const admins = groupPods.map((p) =>
          deps.brokerAdmin(
            `http://${names.podDnsName(cluster, sts, names.brokerService(cluster, i), Number(p.metadata?.name?.slice(sts.length + 1)), deps.clusterDomain)}:${ADMIN_PORT}`,
            token,
          ),
        );
        return observeGroup(i, names.brokerGroup(cluster, i), admins);
      }),
    );
    const drainStarted = new Map((cr.status?.groups ?? []).map((g) => [g.name, g.drainStartedAt]));
    const plan = planScaleDown(
      cluster.brokers.groups,
      live.map((g) => ({ index: g.index, name: g.name, writable: groupWritable(g) })),
    );
    for (const name of plan.restoreWrite) {
      const g = live.find((l) => l.name === name);
      for (const admin of g?.admins ?? []) await admin.setPermission(true);
      drainStarted.delete(name);
      ctx.events.record(cr, 'Normal', 'DrainCancelled', `${name} is wanted again: writes turned back on`);
    }
    let drain: { group: string; decision: DrainDecision } | undefined;
    const retained = plan.removing.map((g) => g.index);
    if (plan.next) {
      const leaving = live.find((l) => l.index === plan.next?.index) as LiveGroup;
      const started = drainStarted.get(leaving.name);
      const decision = await planGroupDrain(
        leaving,
        plan.removing.map((g) => g.name),
        live,
        {
          startedAtMs: started ? Date.parse(started) : undefined,
          nowMs: ctx.now().getTime(),
          skipDrain: isTrue(cr.metadata.annotations, SKIP_DRAIN),
        },
        drainOptions,
      );
      drain = { group: leaving.name, decision };
      if (decision.action === 'set-read-only') {
        for (const admin of leaving.admins) await admin.setPermission(false);
        drainStarted.set(leaving.name, ctx.now().toISOString());
        ctx.events.record(cr, 'Normal', 'DrainStarted', decision.message);
      } else if (decision.action === 'remove') {
        retained.splice(retained.indexOf(leaving.index), 1);
        ctx.events.record(cr, 'Normal', decision.reason, decision.message);
      }
      // A refusal is reported once, by the Ready condition's change to WouldOrphanTopic (status() records it).
    }

    const rctx = renderCtx(retained);
    const rendered = renderBrokerCluster(cluster, rctx);
    const current = await applyAll(rendered, cr, ctx);
    await pruneUnrendered(rendered, cr, ctx);

    const groupsNow = indexes.filter((i) => i < cluster.brokers.groups || retained.includes(i));
    const workload = (stsName: string): ObservedWorkload | undefined => {
      const sts = current.get(`StatefulSet/${stsName}`) as V1StatefulSet | undefined;
      return sts ? observeWorkload(sts, pods) : undefined;
    };
    const nameServer = workload(names.nameServerStatefulSet(cluster));
    const rollable = [
      nameServer,
      ...groupsNow.filter((i) => i < cluster.brokers.groups).map((i) => workload(names.brokerStatefulSet(cluster, i))),
    ].filter((w): w is ObservedWorkload => w !== undefined);
    const roll: RollDecision = planRoll(rollable, { nowMs: ctx.now().getTime(), readyTimeoutMs });
    if (roll.action === 'delete-pod') {
      const pod = pods.find((p) => p.metadata?.name === roll.pod);
      await ctx.client.delete(
        PODS,
        ns,
        roll.pod,
        pod?.metadata?.uid ? { preconditions: { uid: pod.metadata.uid } } : {},
      );
      ctx.events.record(cr, 'Normal', 'PodRestarted', roll.reason);
      ctx.log.info({ pod: roll.pod, pending: roll.pending }, 'rolling pod');
    }

    // A StatefulSet whose controller has not published the new revision yet still has a roll ahead of it.
    const rollSeen: RollDecision =
      roll.action === 'wait' && roll.blockedBy === 'controller'
        ? { ...roll, pending: Math.max(1, roll.pending) }
        : roll;
    const groups: GroupObservation[] = groupsNow.map((i) => {
      const name = names.brokerGroup(cluster, i);
      const g = live.find((l) => l.index === i);
      const started = drainStarted.get(name);
      const leaving = i >= cluster.brokers.groups;
      return {
        name,
        workload: workload(names.brokerStatefulSet(cluster, i)),
        writable: g ? groupWritable(g) : undefined,
        leaving,
        ...groupEndpoints(cluster, i, rctx),
        ...(leaving && started !== undefined && { drainStartedAt: started }),
      };
    });
    const observation: ClusterObservation = {
      mode: 'Managed',
      generation: cluster.generation,
      paused: false,
      invalidSpec: undefined,
      nameServer,
      groups,
      roll: rollSeen,
      drain,
      endpoints: clusterEndpoints(cluster, rctx) as BrokerClusterStatus['endpoints'],
    };
    await status(cr, observation, ctx);

    if (drain?.decision.action === 'wait') return { requeueAfterMs: drain.decision.requeueAfterMs };
    if (drain) return { requeueAfterMs: Math.min(pollMs, drainOptions.pollMs) };
    if (roll.action !== 'done') return { requeueAfterMs: pollMs };
    return {};
  }

  return {
    kind: 'BrokerCluster',
    resource: BROKER_CLUSTERS,
    owns: [owned(CONFIG_MAPS), owned(SERVICES), owned(STATEFULSETS), owned(PDBS), owned(SECRETS)],
    watches: [
      {
        resource: PODS,
        labelSelector: MANAGED,
        keys: (pod) => {
          const cluster = pod.metadata?.labels?.[CLUSTER_LABEL];
          return cluster ? [objectKey(pod.metadata?.namespace, cluster)] : [];
        },
      },
    ],
    reconcile,
  };
}
