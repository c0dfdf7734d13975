import { Code, DataplaneError } from '../../../lib/errors.js';
import type { TimerService } from '../../../messaging/timers/timer-service.js';
import { topicOf } from '../consumer-request.js';
import { OK_STATUS } from '../status.js';
import type { WireResource, WireStatus } from '../wire.js';

export interface RecallMessageRequest {
  topic?: WireResource;
  recall_handle?: string;
}

export interface RecallMessageResponse {
  status: WireStatus;
  message_id?: string;
}

/**
 * Cancels a DELAY message not delivered yet, by the recall handle of its send receipt (PROTOCOL.md §5 RecallMessage):
 * answers its message id; NOT_FOUND once it was delivered or recalled, BAD_REQUEST for a malformed handle. The client
 * raises any status but OK, so every failure is a status (never a missing one).
 */
export function recallMessage(deps: { readonly timers: Pick<TimerService, 'recall'> }) {
  return async (req: RecallMessageRequest): Promise<RecallMessageResponse> => {
    if (req.topic?.resource_namespace) {
      throw new DataplaneError(Code.UNSUPPORTED, 'resource namespaces are not supported yet');
    }
    const topic = topicOf(req.topic);
    const handle = req.recall_handle ?? '';
    if (handle === '') throw new DataplaneError(Code.BAD_REQUEST, 'recall handle is empty');
    const { messageId } = await deps.timers.recall(topic, handle);
    return { status: OK_STATUS, message_id: messageId };
  };
}
