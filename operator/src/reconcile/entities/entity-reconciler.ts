import type { BrokerCluster } from '@rocketry/crds';
import { isTrue, PAUSE_RECONCILIATION } from '../../annotations.js';
import type { BrokerAdmin, BrokerAdminFactory } from '../../broker-admin/broker-admin.js';
import type { KubeObject, ObjectKey } from '../../runtime/kube-object.js';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../../runtime/reconciler.js';
import { BROKER_CLUSTERS } from '../../runtime/resources.js';
import { type Claimant, ClaimIndex, claimOf, claimOwner } from './claims.js';
import { type BrokerGroupTarget, clusterKeyOf, clusterTarget } from './cluster-target.js';
import {
  type Backlog,
  decideDeleteIfEmpty,
  decideSync,
  type Observation,
  preflight,
  type ReadyUpdate,
} from './decide.js';
import { ENTITY_FINALIZER, type EntityKind, type EntityObject } from './entity-kind.js';
import { entityStatus } from './entity-status.js';
import { FreshObjects } from './fresh-objects.js';
import { TokenCache } from './token-cache.js';

export interface EntityReconcilerDeps {
  readonly brokerAdmin: BrokerAdminFactory;
  /** How soon a DeleteIfEmpty deletion blocked by a backlog looks again (default 30 s). */
  readonly deletionRecheckMs?: number;
  /** How long admin tokens read from Secrets are reused (default 10 s). */
  readonly tokenTtlMs?: number;
  /** Objects of the kind reconciled at once (default 8): broker round trips dominate, so a few in flight suffice. */
  readonly workers?: number;
}

/** A broker answered with an error or not at all: the key is retried with backoff after status says why. */
class AdminRetry extends Error {
  override readonly name = 'AdminRetry';
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The reconciler of one entity kind (see decide.ts for the rules). Each reconcile: validate, resolve the cluster,
 * find who manages the broker object, then sync it on every broker group (finalizer first) or handle the deletion
 * per `deletionPolicy`, and write status only when it changed. A BrokerCluster change (a group added by scale-up,
 * a group turning ready) re-enqueues every entity that references it; the periodic resync re-reads every broker
 * (drift: a topic deleted behind the operator's back is recreated).
 */
export function entityReconciler<T extends EntityObject, D, R>(
  k: EntityKind<T, D, R>,
  deps: EntityReconcilerDeps,
): Reconciler<EntityObject> {
  const index = new ClaimIndex();
  const fresh = new FreshObjects<EntityObject>();
  const tokens = new TokenCache(deps.tokenTtlMs ?? 10_000);
  const recheckMs = deps.deletionRecheckMs ?? 30_000;

  const clusterKey = (obj: EntityObject): string | undefined => {
    const ref = obj.spec?.clusterRef;
    return ref?.name ? clusterKeyOf(obj.metadata?.namespace ?? '', ref) : undefined;
  };
  /** Keeps the index current from informer events; returns the other claimants (a conflict may have resolved). */
  const track = (obj: KubeObject): ObjectKey[] => {
    const entity = obj as EntityObject;
    const key = `${entity.metadata?.namespace}/${entity.metadata?.name}`;
    const ck = clusterKey(entity);
    return ck ? index.record(key, ck, k.brokerName(entity)) : index.remove(key);
  };

  async function admin(ctx: ReconcileContext, g: BrokerGroupTarget): Promise<BrokerAdmin> {
    return deps.brokerAdmin(g.adminUrl, await tokens.get(ctx.client, g.token));
  }

  async function setFinalizer(ctx: ReconcileContext, key: string, obj: EntityObject, present: boolean) {
    const current = obj.metadata?.finalizers ?? [];
    const finalizers = present ? [...current, ENTITY_FINALIZER] : current.filter((f) => f !== ENTITY_FINALIZER);
    const { namespace, name = '', resourceVersion } = obj.metadata ?? {};
    const updated = await ctx.client.mergePatch<EntityObject>(k.resource, namespace, name, {
      metadata: { finalizers, resourceVersion },
    });
    fresh.wrote(key, obj, updated);
    return updated;
  }

  async function writeStatus(
    ctx: ReconcileContext,
    key: string,
    obj: EntityObject,
    ready: ReadyUpdate,
    fields: Record<string, unknown>,
    options: { keepGeneration?: boolean } = {},
  ): Promise<void> {
    const previousReason = obj.status?.conditions?.find((c) => c.type === 'Ready')?.reason;
    const { patch, changed } = entityStatus(
      obj.status,
      ready,
      obj.metadata?.generation,
      fields,
      ctx.now().toISOString(),
      options,
    );
    if (!changed) return;
    const { namespace, name = '', resourceVersion } = obj.metadata ?? {};
    const updated = await ctx.client.mergePatch<EntityObject>(
      k.resource,
      namespace,
      name,
      { metadata: { resourceVersion }, status: patch },
      'status',
    );
    fresh.wrote(key, obj, updated);
    // Events only when Ready turns to a problem: steady state and the happy path cost no event writes.
    if (ready.status === 'False' && previousReason !== ready.reason) {
      ctx.events.record(obj, 'Warning', ready.reason, ready.message);
    }
  }

  async function sync(
    ctx: ReconcileContext,
    key: string,
    obj: EntityObject,
    entity: T,
    name: string,
    groups: readonly BrokerGroupTarget[],
    notReady: readonly string[],
  ): Promise<ReconcileResult> {
    let current = obj;
    if (!(current.metadata?.finalizers ?? []).includes(ENTITY_FINALIZER)) {
      current = await setFinalizer(ctx, key, current, true);
    }
    const desired = k.desired(entity);
    const observed = new Map<string, Observation<R>>();
    await Promise.all(
      groups.map(async (g) => {
        try {
          const reported = await k.read(await admin(ctx, g), name);
          observed.set(g.name, reported === undefined ? { kind: 'absent' } : { kind: 'present', reported });
        } catch (err) {
          observed.set(g.name, { kind: 'unreachable', message: messageOf(err) });
        }
      }),
    );
    const entityText = `${k.noun} ${name}`;
    const decision = decideSync({
      entity: entityText,
      desired,
      compare: (d, r, group) => k.compare(name, d, r, group),
      groups: groups.map((g) => g.name),
      notReady,
      observed,
    });
    const failures: string[] = [];
    await Promise.all(
      decision.actions.map(async (action) => {
        const g = groups.find((x) => x.name === action.group);
        if (!g) return;
        try {
          await k.write(await admin(ctx, g), name, action.desired);
          ctx.log.info({ group: g.name, action: action.kind, [k.noun]: name }, `${k.noun} ${action.kind}d`);
        } catch (err) {
          failures.push(`${g.name}: ${messageOf(err)}`);
        }
      }),
    );
    let ready = decision.ready;
    if (failures.length > 0) {
      ready = {
        status: 'False',
        reason: 'AdminError',
        message: `could not write ${entityText}: ${failures.join('; ')}`,
      };
    }
    const held =
      ready.reason === 'InvalidSpec'
        ? [...observed].flatMap(([group, o]) => (o.kind === 'present' ? [{ name: group, value: o.reported }] : []))
        : decision.synced
            .filter((g) => !failures.some((f) => f.startsWith(`${g}: `)))
            .map((group) => ({ name: group, value: desired as D | R }));
    held.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    await writeStatus(ctx, key, current, ready, k.statusFields(name, held));
    if (decision.retry || failures.length > 0) throw new AdminRetry(ready.message);
    return {};
  }

  async function remove(
    ctx: ReconcileContext,
    key: string,
    obj: EntityObject,
    name: string,
    groups: readonly BrokerGroupTarget[],
    checkEmpty: boolean,
  ): Promise<ReconcileResult> {
    const entityText = `${k.noun} ${name}`;
    if (checkEmpty && k.backlog) {
      const backlogs = new Map<string, Backlog>();
      await Promise.all(
        groups.map(async (g) => {
          try {
            backlogs.set(g.name, await k.backlog!(await admin(ctx, g), name));
          } catch (err) {
            backlogs.set(g.name, { kind: 'unreachable', message: messageOf(err) });
          }
        }),
      );
      const decision = decideDeleteIfEmpty(entityText, backlogs);
      if (decision.kind !== 'delete') {
        await writeStatus(ctx, key, obj, decision.ready, {});
        if (decision.kind === 'retry') throw new AdminRetry(decision.ready.message);
        return { requeueAfterMs: recheckMs };
      }
    }
    const failures: string[] = [];
    await Promise.all(
      groups.map(async (g) => {
        try {
          const existed = await k.remove(await admin(ctx, g), name);
          if (existed) ctx.log.info({ group: g.name, [k.noun]: name }, `${k.noun} deleted`);
        } catch (err) {
          failures.push(`${g.name}: ${messageOf(err)}`);
        }
      }),
    );
    if (failures.length > 0) {
      const ready: ReadyUpdate = {
        status: 'False',
        reason: 'AdminError',
        message: `could not delete ${entityText}: ${failures.join('; ')}`,
      };
      await writeStatus(ctx, key, obj, ready, {});
      throw new AdminRetry(ready.message);
    }
    await setFinalizer(ctx, key, obj, false);
    return {};
  }

  return {
    kind: k.kind,
    resource: k.resource,
    workers: deps.workers ?? 8,
    watches: [
      // The entity's own kind: keeps the claim index current, and re-enqueues the other claimants of an object.
      { resource: k.resource, keys: track },
      {
        resource: BROKER_CLUSTERS,
        keys: (cluster) => index.keysOfClusterKey(`${cluster.metadata?.namespace}/${cluster.metadata?.name}`),
      },
    ],
    async reconcile(key, cached, ctx) {
      if (!cached) {
        index.remove(key);
        fresh.forget(key);
        return {};
      }
      const obj = fresh.get(key, cached);
      const namespace = obj.metadata?.namespace ?? '';
      const name = k.brokerName(obj);
      const validation = k.validate(obj);
      const ref = obj.spec?.clusterRef;
      const ck = clusterKey(obj);
      const cluster = ck ? ctx.cache<BrokerCluster & KubeObject>(BROKER_CLUSTERS).get(ck) : undefined;
      const target = ref?.name
        ? clusterTarget(namespace, ref, cluster)
        : ({ kind: 'not-found', message: 'spec.clusterRef is missing' } as const);

      const deleting = obj.metadata?.deletionTimestamp !== undefined && obj.metadata?.deletionTimestamp !== null;
      let managedBy: string | undefined;
      let claimedByOther = false;
      if (ck) {
        index.record(key, ck, name);
        const entities = ctx.cache<EntityObject>(k.resource);
        const claim = claimOf(ck, name);
        const claimants: Claimant[] = [];
        for (const other of index.claimants(claim)) {
          const o = other === key ? obj : entities.get(other);
          if (!o || clusterKey(o) === undefined || claimOf(clusterKey(o) ?? '', k.brokerName(o)) !== claim) continue;
          claimants.push({
            key: other,
            createdAt: String(o.metadata?.creationTimestamp ?? ''),
            deleting: o.metadata?.deletionTimestamp !== undefined && o.metadata?.deletionTimestamp !== null,
          });
        }
        const owner = claimOwner(claimants);
        if (!deleting && owner !== undefined && owner !== key) managedBy = owner;
        claimedByOther = claimants.some((c) => c.key !== key && !c.deleting);
      }

      const pre = preflight({
        entity: `${k.noun} ${name}`,
        deleting,
        hasFinalizer: (obj.metadata?.finalizers ?? []).includes(ENTITY_FINALIZER),
        paused: isTrue(obj.metadata?.annotations, PAUSE_RECONCILIATION),
        invalid: validation.valid ? undefined : validation.message,
        target,
        managedBy,
        claimedByOther,
        policy: validation.valid ? k.policy(validation.object) : 'Retain',
      });
      switch (pre.kind) {
        case 'done':
          if (pre.finalizer === 'remove') await setFinalizer(ctx, key, obj, false);
          else if (pre.ready) {
            const paused = pre.ready.reason === 'ReconciliationPaused';
            await writeStatus(ctx, key, obj, pre.ready, onlyName(k, name), {
              keepGeneration: paused,
            });
          }
          return {};
        case 'sync':
          if (!validation.valid) return {};
          return sync(ctx, key, obj, validation.object, name, pre.groups, pre.notReady);
        case 'delete':
          return remove(ctx, key, obj, name, pre.groups, pre.checkEmpty);
      }
    },
  };
}

/** Outside a sync only the name field is set (what groups hold is left as last synced). */
function onlyName<T extends EntityObject, D, R>(k: EntityKind<T, D, R>, name: string): Record<string, unknown> {
  const fields = k.statusFields(name, []);
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => !Array.isArray(v)));
}
