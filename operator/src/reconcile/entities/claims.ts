/**
 * Conflict detection: several CRs may name the same broker object (same cluster, same topic or group name). The
 * oldest live one (creationTimestamp, then namespace/name) manages it; the others get `Ready=False, reason
 * ResourceConflict` and never touch the brokers (Strimzi's unidirectional topic operator does the same).
 */

/** One CR claiming a broker object. */
export interface Claimant {
  /** `namespace/name` of the CR. */
  readonly key: string;
  /** RFC 3339, whole seconds (as the API server sends it). */
  readonly createdAt: string;
  /** Has a deletionTimestamp: it is letting go and owns nothing any more. */
  readonly deleting: boolean;
}

const older = (a: Claimant, b: Claimant): number => {
  const ta = Date.parse(a.createdAt);
  const tb = Date.parse(b.createdAt);
  if (ta !== tb) return (Number.isNaN(ta) ? Infinity : ta) - (Number.isNaN(tb) ? Infinity : tb);
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
};

/** The key of the CR that manages the broker object: the oldest claimant not being deleted (undefined: none). */
export function claimOwner(claimants: readonly Claimant[]): string | undefined {
  return [...claimants].filter((c) => !c.deleting).sort(older)[0]?.key;
}

/** The broker object a CR claims: `<cluster namespace>/<cluster name>/<broker name>`. */
export const claimOf = (clusterKey: string, brokerName: string): string => `${clusterKey}/${brokerName}`;

/**
 * Which CR keys claim which broker object, and which CRs reference which cluster: rebuilt from informer events (the
 * `keys` callbacks of the reconciler's watches), so it is only ever a view of the cache, never a source of truth. A
 * key is forgotten when its reconcile finds the object gone.
 */
export class ClaimIndex {
  private readonly claimOfKey = new Map<string, { claim: string; clusterKey: string }>();
  private readonly keysOfClaim = new Map<string, Set<string>>();
  private readonly keysOfCluster = new Map<string, Set<string>>();

  /** Records `key`'s current claim; returns the other keys claiming the same object (before and after a move). */
  record(key: string, clusterKey: string, brokerName: string): string[] {
    const claim = claimOf(clusterKey, brokerName);
    const previous = this.claimOfKey.get(key);
    const others = new Set<string>();
    if (previous && previous.claim !== claim) {
      for (const k of this.keysOfClaim.get(previous.claim) ?? []) if (k !== key) others.add(k);
      this.remove(key);
    }
    if (!previous || previous.claim !== claim) {
      this.claimOfKey.set(key, { claim, clusterKey });
      add(this.keysOfClaim, claim, key);
      add(this.keysOfCluster, clusterKey, key);
    }
    for (const k of this.keysOfClaim.get(claim) ?? []) if (k !== key) others.add(k);
    return [...others];
  }

  /** Forgets `key`; returns the keys that claimed the same object (they may own it now). */
  remove(key: string): string[] {
    const entry = this.claimOfKey.get(key);
    if (!entry) return [];
    this.claimOfKey.delete(key);
    drop(this.keysOfClaim, entry.claim, key);
    drop(this.keysOfCluster, entry.clusterKey, key);
    return [...(this.keysOfClaim.get(entry.claim) ?? [])];
  }

  /** Keys claiming `claim` (including the caller's own). */
  claimants(claim: string): string[] {
    return [...(this.keysOfClaim.get(claim) ?? [])];
  }

  /** Keys of the CRs that reference the cluster. */
  keysOfClusterKey(clusterKey: string): string[] {
    return [...(this.keysOfCluster.get(clusterKey) ?? [])];
  }

  get size(): number {
    return this.claimOfKey.size;
  }
}

function add(map: Map<string, Set<string>>, k: string, v: string): void {
  let set = map.get(k);
  if (!set) {
    set = new Set();
    map.set(k, set);
  }
  set.add(v);
}

function drop(map: Map<string, Set<string>>, k: string, v: string): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) map.delete(k);
}
