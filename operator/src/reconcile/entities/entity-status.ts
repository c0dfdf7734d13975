import { type Condition, sameJson } from '@rocketry/crds';
import { setConditions } from '../../plan/conditions.js';
import type { ReadyUpdate } from './decide.js';

/** The status fields an entity reconciler owns; others (a ConsumerGroup's lag and replicas) are left alone. */
export interface EntityStatusFields {
  observedGeneration?: number;
  conditions?: Condition[];
  [field: string]: unknown;
}

/**
 * The next status: Ready merged metav1-style (transition time kept unless the status flips), observedGeneration set
 * (kept while paused), plus `fields` (topicName, brokerGroups...). `patch` holds only what the operator sets, for a
 * merge patch of /status; `changed` is false when it equals what `previous` holds, so steady state writes nothing.
 */
export function entityStatus(
  previous: EntityStatusFields | undefined,
  ready: ReadyUpdate,
  generation: number | undefined,
  fields: Readonly<Record<string, unknown>>,
  nowIso: string,
  options: { keepGeneration?: boolean } = {},
): { patch: EntityStatusFields; changed: boolean } {
  const observedGeneration = options.keepGeneration ? previous?.observedGeneration : generation;
  const merged = setConditions(
    previous?.conditions,
    [{ type: 'Ready', ...ready, ...(observedGeneration !== undefined && { observedGeneration }) }],
    nowIso,
  );
  const patch: EntityStatusFields = { conditions: merged.conditions, ...fields };
  if (observedGeneration !== undefined) patch.observedGeneration = observedGeneration;
  const changed =
    merged.changed ||
    previous?.observedGeneration !== observedGeneration ||
    Object.entries(fields).some(([k, v]) => !sameJson(v, previous?.[k]));
  return { patch, changed };
}
