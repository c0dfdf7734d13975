import type { Consumption } from '../../../messaging/pop/consumption.js';
import { groupOf, topicOf } from '../consumer-request.js';
import { OK_STATUS } from '../status.js';
import type { ForwardMessageToDeadLetterQueueRequest, StatusResponse } from '../wire.js';

/** A FIFO push consumer exhausted its local retries: the message moves to `%DLQ%<group>` and counts as consumed. */
export function forwardMessageToDeadLetterQueue(deps: { readonly consumption: Consumption }) {
  return async (req: ForwardMessageToDeadLetterQueueRequest): Promise<StatusResponse> => {
    await deps.consumption.forwardToDeadLetter(groupOf(req.group), topicOf(req.topic), req.receipt_handle ?? '');
    return { status: OK_STATUS };
  };
}
