import type { Condition } from '@rocketry/crds';
import { describe, expect, it } from 'vitest';
import { setConditions } from './conditions.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:05:00Z';
const ready = (status: Condition['status'], reason: string, observedGeneration = 1): Condition => ({
  type: 'Ready',
  status,
  reason,
  message: '',
  observedGeneration,
  lastTransitionTime: T0,
});
const update = (c: Condition) => {
  const { lastTransitionTime: _, ...rest } = c;
  return rest;
};

describe('setConditions', () => {
  it('keeps lastTransitionTime when the status stays the same, even if the reason changes', () => {
    const { conditions, changed } = setConditions(
      [ready('False', 'Provisioning')],
      [update(ready('False', 'InvalidSpec'))],
      T1,
    );
    expect(conditions).toEqual([{ ...ready('False', 'InvalidSpec'), lastTransitionTime: T0 }]);
    expect(changed).toBe(true);
  });

  it('moves lastTransitionTime to now when the status flips', () => {
    const { conditions } = setConditions([ready('False', 'Provisioning')], [update(ready('True', 'Reconciled'))], T1);
    expect(conditions).toEqual([{ ...ready('True', 'Reconciled'), lastTransitionTime: T1 }]);
  });

  it('adds a new condition type with now as its transition time, after the existing ones', () => {
    const available = {
      type: 'Available',
      status: 'True' as const,
      reason: 'AllGroupsServing',
      message: '',
      observedGeneration: 1,
    };
    const { conditions } = setConditions([ready('True', 'Reconciled')], [available], T1);
    expect(conditions).toEqual([ready('True', 'Reconciled'), { ...available, lastTransitionTime: T1 }]);
  });

  it('keeps condition types it was not given, in their place', () => {
    const warning: Condition = {
      type: 'Warning',
      status: 'True',
      reason: 'Deprecated',
      message: 'x',
      lastTransitionTime: T0,
    };
    const { conditions } = setConditions(
      [warning, ready('False', 'Provisioning')],
      [update(ready('True', 'Reconciled'))],
      T1,
    );
    expect(conditions.map((c) => c.type)).toEqual(['Warning', 'Ready']);
    expect(conditions[0]).toBe(warning);
  });

  it('reports no change when nothing differs, so no status write is needed', () => {
    expect(setConditions([ready('True', 'Reconciled')], [update(ready('True', 'Reconciled'))], T1)).toEqual({
      conditions: [ready('True', 'Reconciled')],
      changed: false,
    });
  });

  it('updates observedGeneration without moving the transition time', () => {
    const { conditions, changed } = setConditions(
      [ready('True', 'Reconciled', 1)],
      [update(ready('True', 'Reconciled', 2))],
      T1,
    );
    expect(conditions).toEqual([ready('True', 'Reconciled', 2)]);
    expect(changed).toBe(true);
  });
});
