import { Code, DataplaneError } from '../../../lib/errors.js';
import type { Consumption } from '../../../messaging/pop/consumption.js';
import { groupOf, msOfDuration, topicOf } from '../consumer-request.js';
import { OK_STATUS } from '../status.js';
import type { ChangeInvisibleDurationRequest, ChangeInvisibleDurationResponse } from '../wire.js';
import { MAX_INVISIBLE_MS } from './receive-message.js';

/**
 * Re-times a delivery: visible again after the duration (0 and milliseconds are push consumers' nacks, PROTOCOL.md
 * §0.7), with a new receipt handle the client must use from now on; the next delivery is a new attempt.
 */
export function changeInvisibleDuration(deps: { readonly consumption: Consumption }) {
  return async (req: ChangeInvisibleDurationRequest): Promise<ChangeInvisibleDurationResponse> => {
    const group = groupOf(req.group);
    const topic = topicOf(req.topic);
    const ms = msOfDuration(req.invisible_duration);
    if (ms === undefined || ms < 0 || ms > MAX_INVISIBLE_MS) {
      throw new DataplaneError(
        Code.ILLEGAL_INVISIBLE_TIME,
        `invisible duration must be from 0 to ${MAX_INVISIBLE_MS} ms, got ${ms ?? 'none'}`,
      );
    }
    const handle = deps.consumption.changeInvisibleDuration(group, topic, req.receipt_handle ?? '', ms);
    return { status: OK_STATUS, receipt_handle: handle };
  };
}
