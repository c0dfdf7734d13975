import type { ConsumerGroupSpec } from '@rocketry/crds';
import type { GroupInfo, RetryPolicy } from '../../broker-admin/broker-admin.js';
import type { Comparison } from './decide.js';

/** The consumer group the brokers should have: every field spelled out, so PUT (a replace) leaves nothing to defaults. */
export interface DesiredGroup {
  readonly fifo: boolean;
  readonly maxDeliveryAttempts: number;
  readonly retryPolicy: RetryPolicy;
}

export const desiredGroup = (spec: ConsumerGroupSpec): DesiredGroup => ({
  fifo: spec.fifo,
  maxDeliveryAttempts: spec.maxDeliveryAttempts,
  retryPolicy: {
    type: spec.retryPolicy.type,
    initialMs: spec.retryPolicy.initialMs,
    maxMs: spec.retryPolicy.maxMs,
    multiplier: spec.retryPolicy.multiplier,
  },
});

/** FIFO cannot change on the broker (refused → InvalidSpec); delivery attempts and backoff are updated in place. */
export function compareGroup(
  name: string,
  desired: DesiredGroup,
  reported: GroupInfo,
  brokerGroup: string,
): Comparison {
  if (reported.fifo !== desired.fifo) {
    return {
      kind: 'refused',
      message:
        `consumer group ${name} is ${reported.fifo ? '' : 'not '}FIFO on broker group ${brokerGroup} and spec.fifo ` +
        `is ${desired.fifo}: that cannot change (delete the group on the brokers, or use another groupName)`,
    };
  }
  const a = desired.retryPolicy;
  const b = reported.retryPolicy;
  const same =
    reported.maxDeliveryAttempts === desired.maxDeliveryAttempts &&
    a.type === b.type &&
    a.initialMs === b.initialMs &&
    a.maxMs === b.maxMs &&
    a.multiplier === b.multiplier;
  return same ? { kind: 'equal' } : { kind: 'update' };
}
