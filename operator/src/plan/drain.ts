/**
 * The drain planner: a broker group leaves the cluster (scale-down) in three steps, one decision per reconcile.
 *  1. set-read-only: `PUT /v1/broker/permission {"write": false}` on each broker of the group; producers move to
 *     other groups at once (routes say READ), consumers keep reading it;
 *  2. wait until no consumer group has lag (ready + in flight) on it, or the drain timeout passes, or the cluster
 *     carries `rocketry.io/skip-drain: "true"`;
 *  3. remove: delete its StatefulSet, Service and PDB (PVCs stay).
 * Before every step, and whatever the bypass says: a group is never removed (nor made read-only) while it is the last
 * writable group of any topic it hosts. Groups being removed together never count as each other's replacement.
 */
export type DrainDecision =
  | { action: 'refuse'; reason: 'WouldOrphanTopic'; topics: string[]; message: string }
  | { action: 'set-read-only'; reason: 'Cordoning'; message: string }
  | {
      action: 'wait';
      reason: 'WaitingForConsumers' | 'LagUnknown' | 'BrokerUnreachable';
      /** Past the timeout with `onTimeout: 'wait'`: shown as DrainStalled. */
      stalled: boolean;
      requeueAfterMs: number;
      message: string;
    }
  | { action: 'remove'; reason: 'Drained' | 'DrainTimeout' | 'DrainSkipped'; message: string };

export interface DrainInput {
  readonly group: string;
  /** Every group leaving now (this one included): none of them can keep a topic writable. */
  readonly removing: readonly string[];
  /** `GET /v1/broker/permission` of each broker of the group; undefined for a broker that did not answer. */
  readonly brokersWritable: readonly (boolean | undefined)[];
  /** Topic → the broker groups that host it (from the name server's routes). */
  readonly topicGroups: Readonly<Record<string, readonly string[]>>;
  /** Groups whose brokers accept writes. */
  readonly writableGroups: readonly string[];
  /** Consumer group → lag (ready + in flight) on this broker group; undefined when it could not be read. */
  readonly lag: Readonly<Record<string, number>> | undefined;
  /** When the group was set read-only (status.groups[].drainStartedAt); undefined before that. */
  readonly startedAtMs: number | undefined;
  readonly nowMs: number;
  /** `rocketry.io/skip-drain: "true"` on the BrokerCluster. */
  readonly skipDrain: boolean;
}

export interface DrainOptions {
  readonly timeoutMs: number;
  /** After the timeout: remove anyway (messages left are stranded on the kept PVC), or keep waiting. */
  readonly onTimeout: 'remove' | 'wait';
  /** How often to look at lag again while waiting. */
  readonly pollMs: number;
}

export const defaultDrainOptions: DrainOptions = { timeoutMs: 30 * 60_000, onTimeout: 'remove', pollMs: 10_000 };

/** Topics on `group` that would have no writable group left once every group in `removing` is gone. */
export function orphanedTopics(input: Pick<DrainInput, 'group' | 'removing' | 'topicGroups' | 'writableGroups'>) {
  const leaving = new Set(input.removing);
  leaving.add(input.group);
  const writable = new Set(input.writableGroups);
  return Object.entries(input.topicGroups)
    .filter(([, groups]) => groups.includes(input.group))
    .filter(([, groups]) => !groups.some((g) => !leaving.has(g) && writable.has(g)))
    .map(([topic]) => topic)
    .sort();
}

function lagSummary(lag: Readonly<Record<string, number>>): { total: number; text: string } {
  const lagging = Object.entries(lag)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const total = lagging.reduce((t, [, n]) => t + n, 0);
  const shown = lagging
    .slice(0, 3)
    .map(([g, n]) => `${g} (${n})`)
    .join(', ');
  const more = lagging.length > 3 ? ` and ${lagging.length - 3} more` : '';
  return { total, text: `${lagging.length} consumer group(s) still have ${total} message(s): ${shown}${more}` };
}

export function planDrain(input: DrainInput, options: DrainOptions): DrainDecision {
  const { group } = input;
  const orphans = orphanedTopics(input);
  if (orphans.length > 0) {
    const shown = orphans.slice(0, 5).join(', ') + (orphans.length > 5 ? ` and ${orphans.length - 5} more` : '');
    return {
      action: 'refuse',
      reason: 'WouldOrphanTopic',
      topics: orphans,
      message: `not removing ${group}: it is the last writable broker group of ${shown}`,
    };
  }
  if (input.brokersWritable.some((w) => w === true)) {
    return { action: 'set-read-only', reason: 'Cordoning', message: `setting ${group} read-only before removing it` };
  }
  if (input.skipDrain) {
    return { action: 'remove', reason: 'DrainSkipped', message: `removing ${group} without waiting (skip-drain)` };
  }
  const startedAtMs = input.startedAtMs ?? input.nowMs;
  const elapsedMs = input.nowMs - startedAtMs;
  const timedOut = elapsedMs >= options.timeoutMs;
  const requeueAfterMs = Math.max(1, Math.min(options.pollMs, options.timeoutMs - elapsedMs));
  let waiting: { reason: 'WaitingForConsumers' | 'LagUnknown' | 'BrokerUnreachable'; message: string };
  if (input.brokersWritable.length === 0 || input.brokersWritable.some((w) => w === undefined)) {
    waiting = { reason: 'BrokerUnreachable', message: `${group}: a broker did not report its write permission` };
  } else if (input.lag === undefined) {
    waiting = { reason: 'LagUnknown', message: `${group}: consumer lag could not be read` };
  } else {
    const { total, text } = lagSummary(input.lag);
    if (total === 0) {
      return { action: 'remove', reason: 'Drained', message: `${group} is drained: no consumer group has lag on it` };
    }
    waiting = { reason: 'WaitingForConsumers', message: `draining ${group}: ${text}` };
  }
  if (timedOut && options.onTimeout === 'remove') {
    return {
      action: 'remove',
      reason: 'DrainTimeout',
      message: `removing ${group} after the ${Math.round(options.timeoutMs / 1000)} s drain timeout; ${waiting.message}`,
    };
  }
  return {
    action: 'wait',
    ...waiting,
    stalled: timedOut,
    requeueAfterMs: timedOut ? options.pollMs : requeueAfterMs,
    ...(timedOut && {
      message: `${waiting.message}; past the ${Math.round(options.timeoutMs / 1000)} s drain timeout (set rocketry.io/skip-drain: "true" to remove it anyway)`,
    }),
  };
}
