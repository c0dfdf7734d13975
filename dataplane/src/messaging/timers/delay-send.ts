import { Code, DataplaneError } from '../../lib/errors.js';
import type { MessageInput } from '../../storage/record-codec.js';
import { SYSTEM_PROPERTY } from '../system-properties.js';
import { decideDelay, delayedInput, encodeRecallHandle } from './timer-records.js';

/** What the send path needs of the timer service: the clock, the maximum delay, and to hear of stored timers. */
export interface DelayPolicy {
  readonly maxDelayMs: number;
  now(): number;
  /**
   * Indexes the timer records among `inputs` (stored as `results`, in order) before their receipts go out, so a recall
   * right after the send finds them. Never throws: what it misses, the timer service's scan of its topic finds.
   */
  stored(
    inputs: readonly MessageInput[],
    results: readonly { physicalOffset: bigint; queueOffset: bigint; size: number }[],
  ): Promise<void>;
}

/**
 * A DELAY message as stored: a timer record when due later, the message itself (with its delivery time) when due now;
 * ILLEGAL_DELIVERY_TIME beyond the maximum delay.
 */
export function scheduleDelayed(
  policy: DelayPolicy | undefined,
  input: MessageInput,
  deliverAt: number | undefined,
): MessageInput {
  if (!policy) throw new DataplaneError(Code.UNSUPPORTED, 'DELAY messages are not enabled');
  if (deliverAt === undefined)
    throw new DataplaneError(Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, 'a DELAY message needs a delivery timestamp');
  return delayedInput(input, deliverAt, decideDelay(deliverAt, policy.now(), policy.maxDelayMs));
}

/** The recall handle of a stored DELAY message (its timer record's offset is the timer's identity). */
export function recallHandleOf(input: MessageInput, physicalOffset: bigint): string | undefined {
  const deliverAt = input.properties[SYSTEM_PROPERTY.deliverAt];
  return deliverAt === undefined ? undefined : encodeRecallHandle(Number(deliverAt), Number(physicalOffset));
}
