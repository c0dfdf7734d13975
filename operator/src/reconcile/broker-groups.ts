import type { BrokerAdmin } from '../broker-admin/broker-admin.js';
import { type DrainDecision, type DrainOptions, planDrain } from '../plan/drain.js';

/** A broker group as the reconciler sees it: its brokers' admin clients and their write permission. */
export interface LiveGroup {
  readonly index: number;
  readonly name: string;
  readonly admins: readonly BrokerAdmin[];
  /** Per broker: `GET /v1/broker/permission`, undefined when it did not answer. */
  readonly brokersWritable: readonly (boolean | undefined)[];
}

/** All brokers writable: true; any read-only: false; none answered (or no pods): undefined. */
export function groupWritable(g: LiveGroup): boolean | undefined {
  if (g.brokersWritable.length === 0 || g.brokersWritable.every((w) => w === undefined)) return undefined;
  return g.brokersWritable.every((w) => w !== false);
}

export async function observeGroup(index: number, name: string, admins: readonly BrokerAdmin[]): Promise<LiveGroup> {
  const brokersWritable = await Promise.all(
    admins.map((a) =>
      a.getPermission().then(
        (p) => p.write,
        () => undefined,
      ),
    ),
  );
  return { index, name, admins, brokersWritable };
}

async function topicsOf(g: LiveGroup): Promise<string[] | undefined> {
  for (const admin of g.admins) {
    try {
      return (await admin.listTopics()).map((t) => t.name);
    } catch {
      // try the next broker of the group
    }
  }
  return undefined;
}

/** Consumer group → lag (ready + in flight) summed over the group's brokers; undefined when any could not be read. */
async function lagOn(g: LiveGroup): Promise<Record<string, number> | undefined> {
  const lag: Record<string, number> = {};
  try {
    for (const admin of g.admins) {
      for (const group of await admin.listGroups()) {
        const l = await admin.groupLag(group.name);
        if (l) lag[group.name] = (lag[group.name] ?? 0) + l.ready + l.inflight;
      }
    }
    return lag;
  } catch {
    return undefined;
  }
}

/**
 * Gathers the drain planner's input for `leaving` (topic placement from every group's topic list, lag on the leaving
 * group) and asks it what to do. Carrying out the decision is the caller's.
 */
export async function planGroupDrain(
  leaving: LiveGroup,
  removing: readonly string[],
  groups: readonly LiveGroup[],
  input: { startedAtMs: number | undefined; nowMs: number; skipDrain: boolean },
  options: DrainOptions,
): Promise<DrainDecision> {
  const topicGroups: Record<string, string[]> = {};
  for (const g of groups) {
    for (const topic of (await topicsOf(g)) ?? []) {
      topicGroups[topic] = [...(topicGroups[topic] ?? []), g.name];
    }
  }
  const writableGroups = groups.filter((g) => groupWritable(g) === true).map((g) => g.name);
  return planDrain(
    {
      group: leaving.name,
      removing,
      brokersWritable: leaving.brokersWritable,
      topicGroups,
      writableGroups,
      lag: await lagOn(leaving),
      startedAtMs: input.startedAtMs,
      nowMs: input.nowMs,
      skipDrain: input.skipDrain,
    },
    options,
  );
}
