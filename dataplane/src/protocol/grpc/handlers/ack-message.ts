import { Code, DataplaneError } from '../../../lib/errors.js';
import type { Consumption } from '../../../messaging/pop/consumption.js';
import { groupOf, topicOf } from '../consumer-request.js';
import { OK_STATUS, toStatus } from '../status.js';
import type { AckMessageRequest, AckMessageResponse } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

/**
 * Acks by receipt handle, one outcome per entry. The client reads only the top-level status (PROTOCOL.md §0.8), so it
 * repeats the first failed entry's.
 */
export function ackMessage(deps: { readonly consumption: Consumption }) {
  return async (req: AckMessageRequest, ctx: RpcContext): Promise<AckMessageResponse> => {
    const group = groupOf(req.group);
    const topic = topicOf(req.topic);
    const entries = req.entries ?? [];
    if (entries.length === 0) throw new DataplaneError(Code.BAD_REQUEST, 'ack without entries');
    const outcomes = await deps.consumption.ack(
      group,
      topic,
      entries.map((e) => e.receipt_handle ?? ''),
    );
    const results = entries.map((e, i) => ({
      message_id: e.message_id ?? '',
      receipt_handle: e.receipt_handle ?? '',
      status: outcomes[i] ? toStatus(outcomes[i], ctx.log) : OK_STATUS,
    }));
    return { status: results.find((r) => r.status.code !== OK_STATUS.code)?.status ?? OK_STATUS, entries: results };
  };
}
