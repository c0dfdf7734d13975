import type { Condition } from '@rocketry/crds';

/** A condition as computed, before its transition time is known. */
export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/**
 * Merges computed conditions into the ones in status, metav1.Condition style: `lastTransitionTime` moves to `nowIso`
 * only when a condition's status changes (or it is new); reason, message and observedGeneration just follow.
 * Conditions of other types are kept, in their place. `changed` says whether a status write is needed at all.
 */
export function setConditions(
  existing: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  nowIso: string,
): { conditions: Condition[]; changed: boolean } {
  const conditions = [...(existing ?? [])];
  let changed = false;
  for (const update of updates) {
    const i = conditions.findIndex((c) => c.type === update.type);
    const previous = i >= 0 ? conditions[i] : undefined;
    const lastTransitionTime = previous && previous.status === update.status ? previous.lastTransitionTime : nowIso;
    const next: Condition = { ...update, lastTransitionTime };
    if (
      previous &&
      previous.status === next.status &&
      previous.reason === next.reason &&
      previous.message === next.message &&
      previous.observedGeneration === next.observedGeneration
    ) {
      continue;
    }
    changed = true;
    if (i >= 0) conditions[i] = next;
    else conditions.push(next);
  }
  return { conditions, changed };
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
