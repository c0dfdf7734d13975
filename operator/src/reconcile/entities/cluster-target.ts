import type { BrokerCluster, ClusterRef } from '@rocketry/crds';
import { ADMIN_SECRET_KEY, adminSecret } from '../../names.js';

/** Where a broker group's admin token lives (a key of a Secret in the cluster's namespace); none: no token. */
export interface TokenRef {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
}

/** One broker group of the referenced cluster, as an entity reconciler reaches it. */
export interface BrokerGroupTarget {
  readonly name: string;
  readonly adminUrl: string;
  readonly token?: TokenRef;
  /** The cluster says its brokers are ready (External mode: reachable, or not probed yet). */
  readonly ready: boolean;
  /** Being drained or removed by a scale-down: entities are deleted there but never created. */
  readonly leaving: boolean;
}

/** What an entity's `clusterRef` resolves to. Only `ready` lets the entity touch brokers (except deletion, below). */
export type ClusterTarget =
  | { readonly kind: 'not-found'; readonly message: string }
  | { readonly kind: 'not-allowed'; readonly message: string }
  /** The BrokerCluster is being deleted: nothing is synced, and finalizers are released without broker calls. */
  | { readonly kind: 'deleting'; readonly message: string }
  /** The cluster exists but has no broker group to talk to yet (or its spec is unusable). */
  | { readonly kind: 'not-ready'; readonly message: string }
  | { readonly kind: 'ready'; readonly clusterKey: string; readonly groups: readonly BrokerGroupTarget[] };

/** `namespace/name` of the BrokerCluster an entity in `namespace` references. */
export function clusterKeyOf(namespace: string, ref: ClusterRef): string {
  return `${ref.namespace ?? namespace}/${ref.name}`;
}

/**
 * Resolves an entity's `clusterRef` against the cached BrokerCluster. External mode: the brokers listed in the spec
 * (status, when the BrokerCluster reconciler wrote it, says which are reachable). Managed mode: the groups in status,
 * with their admin URLs; Draining and Drained groups are `leaving`. Cross-namespace references need the cluster's
 * `spec.allowedNamespaces` to name the entity's namespace (or `*`).
 */
export function clusterTarget(namespace: string, ref: ClusterRef, cluster: BrokerCluster | undefined): ClusterTarget {
  const key = clusterKeyOf(namespace, ref);
  if (!cluster) return { kind: 'not-found', message: `BrokerCluster ${key} not found` };
  const clusterNamespace = cluster.metadata.namespace ?? namespace;
  if (clusterNamespace !== namespace) {
    const allowed = cluster.spec.allowedNamespaces ?? [];
    if (!allowed.includes('*') && !allowed.includes(namespace)) {
      return {
        kind: 'not-allowed',
        message: `BrokerCluster ${key} does not allow namespace ${namespace} (spec.allowedNamespaces)`,
      };
    }
  }
  if (cluster.metadata.deletionTimestamp) return { kind: 'deleting', message: `BrokerCluster ${key} is being deleted` };
  const statusGroups = new Map((cluster.status?.groups ?? []).map((g) => [g.name, g]));
  if (cluster.spec.mode === 'External') {
    const brokers = cluster.spec.external?.brokers ?? [];
    if (brokers.length === 0) return { kind: 'not-ready', message: `BrokerCluster ${key} lists no external brokers` };
    const groups = brokers.map((b): BrokerGroupTarget => {
      const ref = b.credentialsSecretRef;
      return {
        name: b.name,
        adminUrl: b.adminUrl,
        ...(ref && { token: { namespace: clusterNamespace, name: ref.name, key: ref.key ?? 'token' } }),
        ready: statusGroups.get(b.name)?.ready !== false,
        leaving: false,
      };
    });
    return { kind: 'ready', clusterKey: key, groups };
  }
  const secretRef = cluster.spec.adminSecretRef;
  const token: TokenRef = {
    namespace: clusterNamespace,
    name: secretRef?.name ?? adminSecret({ name: cluster.metadata.name ?? ref.name, namespace: clusterNamespace }),
    key: secretRef?.key ?? ADMIN_SECRET_KEY,
  };
  const groups = [...statusGroups.values()]
    .filter((g) => g.adminUrl !== undefined)
    .map(
      (g): BrokerGroupTarget => ({
        name: g.name,
        adminUrl: g.adminUrl ?? '',
        token,
        ready: g.ready,
        leaving: g.phase === 'Draining' || g.phase === 'Drained',
      }),
    );
  if (groups.length === 0) {
    return { kind: 'not-ready', message: `BrokerCluster ${key} reports no broker groups yet` };
  }
  return { kind: 'ready', clusterKey: key, groups };
}
