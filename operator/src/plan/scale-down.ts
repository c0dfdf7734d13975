/** A broker group as observed: its index in `<cluster>-broker-<i>` and whether its brokers accept writes. */
export interface ObservedGroup {
  readonly index: number;
  readonly name: string;
  /** Undefined when its brokers did not answer. */
  readonly writable: boolean | undefined;
}

export interface ScalePlan {
  /** Groups the spec wants again but that are read-only (a cancelled drain): give them write permission back. */
  readonly restoreWrite: readonly string[];
  /** Groups at or above `spec.brokers.groups`, highest index first: they keep their objects until drained. */
  readonly removing: readonly ObservedGroup[];
  /** The one group to drain now (the highest index), if any. */
  readonly next: ObservedGroup | undefined;
}

/**
 * Which groups leave on a scale-down and in which order: the highest indexes go, one at a time, each through the
 * drain planner. Raising `groups` again during a drain cancels it: the group is wanted again and gets write back.
 */
export function planScaleDown(desiredGroups: number, groups: readonly ObservedGroup[]): ScalePlan {
  const removing = groups.filter((g) => g.index >= desiredGroups).sort((a, b) => b.index - a.index);
  const restoreWrite = groups
    .filter((g) => g.index < desiredGroups && g.writable === false)
    .sort((a, b) => a.index - b.index)
    .map((g) => g.name);
  return { restoreWrite, removing, next: removing[0] };
}
