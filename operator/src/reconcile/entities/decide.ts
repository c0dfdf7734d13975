import type { BrokerGroupTarget, ClusterTarget } from './cluster-target.js';

/**
 * The decisions of the entity reconcilers (Topic, ConsumerGroup), as pure functions of what the reconcile observed:
 * the CR, the cluster it references, the other CRs claiming the same broker object, and what each broker group
 * reports. The reconciler gathers, calls these, and carries out the answer.
 */

export type DeletionPolicy = 'Delete' | 'Retain' | 'DeleteIfEmpty';

/** The Ready condition as decided (the status helper adds observedGeneration and the transition time). */
export interface ReadyUpdate {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

const notReady = (reason: string, message: string): ReadyUpdate => ({ status: 'False', reason, message });

export interface PreflightInput {
  /** `topic orders`, `consumer group workers`: the broker object, for messages. */
  readonly entity: string;
  readonly deleting: boolean;
  readonly hasFinalizer: boolean;
  readonly paused: boolean;
  /** The InvalidSpec message when the spec fails validation. */
  readonly invalid: string | undefined;
  readonly target: ClusterTarget;
  /** The key of the CR that manages the broker object, when that is another CR. */
  readonly managedBy: string | undefined;
  /** Another CR not being deleted claims the same broker object. */
  readonly claimedByOther: boolean;
  readonly policy: DeletionPolicy;
}

export type Preflight =
  /** Nothing to do on brokers. `ready` (if any) goes into status; `finalizer: 'remove'` lets a deletion finish. */
  | { readonly kind: 'done'; readonly ready?: ReadyUpdate; readonly finalizer: 'remove' | 'keep' }
  /** Converge the broker object on `groups` (finalizer first); `notReady` groups are skipped and reported. */
  | { readonly kind: 'sync'; readonly groups: readonly BrokerGroupTarget[]; readonly notReady: readonly string[] }
  /** Delete the broker object on `groups`, after checking it is empty when `checkEmpty`. */
  | { readonly kind: 'delete'; readonly groups: readonly BrokerGroupTarget[]; readonly checkEmpty: boolean };

/**
 * What a reconcile does before asking any broker.
 *
 * Not deleting: paused → Ready=Unknown ReconciliationPaused; invalid spec → InvalidSpec; cluster missing, not allowed,
 * being deleted or without groups → ClusterNotFound / NamespaceNotAllowed / ClusterNotReady; another (older) CR
 * manages the object → ResourceConflict; else sync on every group that is not leaving.
 *
 * Deleting (with our finalizer): the finalizer is released without broker calls when there is nothing we may or
 * can delete — policy Retain, paused, invalid spec, cluster gone / not allowed / being deleted / without groups (a
 * finalizer must never wedge a namespace or cluster deletion), a conflicting CR (it never owned the object), or
 * another live CR claiming the same object (it takes over; deleting would pull the object from under it). Otherwise
 * Delete deletes on every group, DeleteIfEmpty checks for a backlog first.
 */
export function preflight(input: PreflightInput): Preflight {
  const { target } = input;
  if (input.deleting) {
    if (!input.hasFinalizer) return { kind: 'done', finalizer: 'keep' };
    const release =
      input.policy === 'Retain' ||
      input.paused ||
      input.invalid !== undefined ||
      target.kind !== 'ready' ||
      input.managedBy !== undefined ||
      input.claimedByOther;
    if (release) return { kind: 'done', finalizer: 'remove' };
    return { kind: 'delete', groups: target.groups, checkEmpty: input.policy === 'DeleteIfEmpty' };
  }
  if (input.paused) {
    return {
      kind: 'done',
      ready: {
        status: 'Unknown',
        reason: 'ReconciliationPaused',
        message: 'rocketry.io/pause-reconciliation is "true"',
      },
      finalizer: 'keep',
    };
  }
  if (input.invalid !== undefined)
    return { kind: 'done', ready: notReady('InvalidSpec', input.invalid), finalizer: 'keep' };
  switch (target.kind) {
    case 'not-found':
      return { kind: 'done', ready: notReady('ClusterNotFound', target.message), finalizer: 'keep' };
    case 'not-allowed':
      return { kind: 'done', ready: notReady('NamespaceNotAllowed', target.message), finalizer: 'keep' };
    case 'deleting':
    case 'not-ready':
      return { kind: 'done', ready: notReady('ClusterNotReady', target.message), finalizer: 'keep' };
    case 'ready':
      break;
  }
  if (input.managedBy !== undefined) {
    return {
      kind: 'done',
      ready: notReady(
        'ResourceConflict',
        `${input.entity} on BrokerCluster ${target.clusterKey} is managed by ${input.managedBy} (the older object)`,
      ),
      finalizer: 'keep',
    };
  }
  const groups = target.groups.filter((g) => !g.leaving);
  if (groups.length === 0) {
    return {
      kind: 'done',
      ready: notReady('ClusterNotReady', `BrokerCluster ${target.clusterKey} has no broker group that is not leaving`),
      finalizer: 'keep',
    };
  }
  return {
    kind: 'sync',
    groups: groups.filter((g) => g.ready),
    notReady: groups.filter((g) => !g.ready).map((g) => g.name),
  };
}

/** What one broker group reported about the broker object. */
export type Observation<R> =
  | { readonly kind: 'absent' }
  | { readonly kind: 'present'; readonly reported: R }
  | { readonly kind: 'unreachable'; readonly message: string };

/** The desired object against what a broker has. `refused`: the broker cannot get there (immutable fields). */
export type Comparison =
  | { readonly kind: 'equal' }
  | { readonly kind: 'update' }
  | { readonly kind: 'refused'; readonly message: string };

export interface SyncAction<D> {
  readonly kind: 'create' | 'update';
  readonly group: string;
  readonly desired: D;
}

export interface SyncDecision<D> {
  readonly actions: readonly SyncAction<D>[];
  readonly ready: ReadyUpdate;
  /** Groups that will hold the desired object once the actions ran. */
  readonly synced: readonly string[];
  /** Retry with backoff (a broker did not answer); otherwise events and the resync bring the object back. */
  readonly retry: boolean;
}

/**
 * Converging on the groups that answered: create where absent, update where different, nothing where equal (steady
 * state costs no broker writes). If any group refuses the desired object (a message type or FIFO setting that cannot
 * change, fewer queues than it has), nothing is written anywhere and the spec is InvalidSpec: a partial sync would
 * leave the groups disagreeing. Unreachable groups → AdminError and a retry; groups the cluster reports not ready →
 * ClusterNotReady (the cluster's status change brings the object back).
 */
export function decideSync<D, R>(input: {
  readonly entity: string;
  readonly desired: D;
  readonly compare: (desired: D, reported: R, group: string) => Comparison;
  /** Ready groups, in order. */
  readonly groups: readonly string[];
  readonly notReady: readonly string[];
  readonly observed: ReadonlyMap<string, Observation<R>>;
}): SyncDecision<D> {
  const refusals: string[] = [];
  const unreachable: string[] = [];
  const actions: SyncAction<D>[] = [];
  const synced: string[] = [];
  for (const group of input.groups) {
    const seen = input.observed.get(group) ?? { kind: 'unreachable', message: 'not observed' };
    if (seen.kind === 'unreachable') {
      unreachable.push(`${group}: ${seen.message}`);
      continue;
    }
    if (seen.kind === 'absent') {
      actions.push({ kind: 'create', group, desired: input.desired });
      synced.push(group);
      continue;
    }
    const cmp = input.compare(input.desired, seen.reported, group);
    if (cmp.kind === 'refused') refusals.push(cmp.message);
    else {
      if (cmp.kind === 'update') actions.push({ kind: 'update', group, desired: input.desired });
      synced.push(group);
    }
  }
  if (refusals.length > 0) {
    return { actions: [], synced: [], retry: false, ready: notReady('InvalidSpec', refusals.join('; ')) };
  }
  if (unreachable.length > 0) {
    return {
      actions,
      synced,
      retry: true,
      ready: notReady('AdminError', `could not read ${input.entity} from broker group ${unreachable.join('; ')}`),
    };
  }
  if (input.notReady.length > 0) {
    return {
      actions,
      synced,
      retry: false,
      ready: notReady(
        'ClusterNotReady',
        `broker groups not ready: ${input.notReady.join(', ')}` +
          (synced.length > 0 ? ` (synced to ${synced.join(', ')})` : ''),
      ),
    };
  }
  return {
    actions,
    synced,
    retry: false,
    ready: {
      status: 'True',
      reason: 'Reconciled',
      message: `${input.entity} on ${plural(synced.length, 'broker group')}`,
    },
  };
}

/** What a group holds of the object, for DeleteIfEmpty: messages nobody consumed yet, or no answer. */
export type Backlog =
  | { readonly kind: 'known'; readonly messages: number; readonly detail: string }
  | { readonly kind: 'unreachable'; readonly message: string };

export type DeletionDecision =
  | { readonly kind: 'delete' }
  | { readonly kind: 'blocked'; readonly ready: ReadyUpdate }
  | { readonly kind: 'retry'; readonly ready: ReadyUpdate };

/** DeleteIfEmpty: delete only when every group answered and none holds a backlog; else DeletionBlocked. */
export function decideDeleteIfEmpty(entity: string, backlogs: ReadonlyMap<string, Backlog>): DeletionDecision {
  const unreachable: string[] = [];
  const blocking: string[] = [];
  for (const [group, b] of backlogs) {
    if (b.kind === 'unreachable') unreachable.push(`${group}: ${b.message}`);
    else if (b.messages > 0) blocking.push(`${group}: ${b.detail}`);
  }
  if (unreachable.length > 0) {
    return {
      kind: 'retry',
      ready: notReady(
        'DeletionBlocked',
        `deletionPolicy DeleteIfEmpty cannot check ${entity}: ${unreachable.join('; ')}`,
      ),
    };
  }
  if (blocking.length > 0) {
    return {
      kind: 'blocked',
      ready: notReady(
        'DeletionBlocked',
        `deletionPolicy DeleteIfEmpty: ${entity} still has messages (${blocking.join('; ')})`,
      ),
    };
  }
  return { kind: 'delete' };
}

export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
