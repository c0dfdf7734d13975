import type { RenderedObject } from '../render/broker-cluster.js';
import { type ApplyOutcome, applyObject } from '../runtime/apply.js';
import type { EventRecorder } from '../runtime/events.js';
import type { KubeClient } from '../runtime/kube-client.js';
import type { KubeObject } from '../runtime/kube-object.js';
import type { ReconcileContext } from '../runtime/reconciler.js';
import { CONFIG_MAPS, PDBS, type ResourceType, resourceTypeOf, SERVICES, STATEFULSETS } from '../runtime/resources.js';

/** Kinds the BrokerCluster renders, and so prunes: the admin Secret is not among them (created once, kept). */
export const PRUNED_KINDS: readonly ResourceType[] = [CONFIG_MAPS, SERVICES, STATEFULSETS, PDBS];

const ownedBy = (uid: string) => (obj: KubeObject) =>
  obj.metadata?.ownerReferences?.some((r) => r.controller && r.uid === uid) ?? false;

/**
 * Applies every rendered object in order against the cache (writes only what differs) and returns the objects as
 * they are now, by `Kind/name`.
 */
export async function applyAll(
  rendered: readonly RenderedObject[],
  owner: KubeObject,
  ctx: Pick<ReconcileContext, 'client' | 'cache' | 'events' | 'log'>,
): Promise<Map<string, KubeObject>> {
  const now = new Map<string, KubeObject>();
  const done: Record<ApplyOutcome, string[]> = { created: [], updated: [], unchanged: [] };
  try {
    for (const desired of rendered) {
      const obj = desired as KubeObject;
      const rt = resourceTypeOf(obj);
      const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
      const { outcome, object } = await applyObject(ctx.client, obj, ctx.cache(rt).get(key), rt);
      now.set(`${rt.kind}/${obj.metadata?.name}`, object);
      done[outcome].push(`${rt.kind} ${obj.metadata?.name}`);
      if (outcome !== 'unchanged') ctx.log.info({ object: `${rt.kind}/${obj.metadata?.name}`, outcome }, 'applied');
    }
  } finally {
    // One event per kind of change and reconcile, not one per object.
    report(ctx.events, owner, 'Created', done.created);
    report(ctx.events, owner, 'Updated', done.updated);
  }
  return now;
}

function report(events: EventRecorder, owner: KubeObject, reason: 'Created' | 'Updated', objects: string[]) {
  if (objects.length > 0) events.record(owner, 'Normal', reason, `${reason.toLowerCase()} ${objects.join(', ')}`);
}

/** Deletes objects this cluster controls that were not rendered this time (a removed group, PDBs turned off). */
export async function pruneUnrendered(
  rendered: readonly RenderedObject[],
  owner: KubeObject,
  ctx: Pick<ReconcileContext, 'client' | 'cache' | 'events' | 'log'>,
): Promise<string[]> {
  const uid = owner.metadata?.uid ?? '';
  const keep = new Set(rendered.map((o) => `${(o as KubeObject).kind}/${o.metadata?.name}`));
  const pruned: string[] = [];
  for (const rt of PRUNED_KINDS) {
    for (const obj of ctx.cache(rt).list(ownedBy(uid))) {
      const name = obj.metadata?.name ?? '';
      if (keep.has(`${rt.kind}/${name}`)) continue;
      await deleteOwned(ctx.client, rt, obj);
      pruned.push(`${rt.kind}/${name}`);
      ctx.events.record(owner, 'Normal', 'Deleted', `deleted ${rt.kind} ${name}: no longer part of the cluster`);
      ctx.log.info({ object: `${rt.kind}/${name}` }, 'pruned');
    }
  }
  return pruned;
}

const deleteOwned = (client: KubeClient, rt: ResourceType, obj: KubeObject) =>
  client.delete(rt, obj.metadata?.namespace, obj.metadata?.name ?? '', {
    propagationPolicy: 'Background',
    ...(obj.metadata?.uid && { preconditions: { uid: obj.metadata.uid } }),
  });

export const controlledBy = ownedBy;
