import type { Clock } from '../../../lib/clock.js';
import { Code, DataplaneError } from '../../../lib/errors.js';
import type { ClientLiveness } from '../../../messaging/pop/client-liveness.js';
import type { Consumption } from '../../../messaging/pop/consumption.js';
import { filterOf, groupOf, msOfDuration, topicOf } from '../consumer-request.js';
import { toDeliveredMessage } from '../delivered-message.js';
import type { StreamCall } from '../server-stream.js';
import { OK_STATUS } from '../status.js';
import type { ReceiveMessageRequest, ReceiveMessageResponse } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

/** Simple consumers choose their invisible time per receive; the Apache proxy's maximum, and 1 s as the floor. */
export const MIN_INVISIBLE_MS = 1000;
export const MAX_INVISIBLE_MS = 12 * 3600_000;
/** Long polls are held this long at most, and end this long before the client's deadline (PROTOCOL.md §7.5, §8). */
export const MAX_POLL_MS = 20_000;
const MIN_POLL_MS = 1000;
const DEADLINE_MARGIN_MS = 300;
const DEFAULT_BATCH = 32;
const MAX_BATCH = 1024;

export interface ReceiveDeps {
  readonly consumption: Consumption;
  readonly liveness: ClientLiveness;
  readonly clock: Clock;
  /** This broker's advertised endpoint, reported as each message's store host. */
  readonly storeHost: () => string;
  readonly onDelivered?: (topic: string, group: string, bodySizes: readonly number[]) => void;
}

/**
 * Pop receive with real long polling: either `status OK` followed by the messages, or exactly one non-OK status
 * (MESSAGE_NOT_FOUND when the poll ended empty), as the client reads the stream (PROTOCOL.md §5 ReceiveMessage).
 * The queue in the request only names the broker: messages come from any of the topic's queues here (§7.1).
 */
export function receiveMessage(deps: ReceiveDeps) {
  return async (req: ReceiveMessageRequest, ctx: RpcContext, call: StreamCall): Promise<ReceiveMessageResponse[]> => {
    const group = groupOf(req.group);
    const topic = topicOf(req.message_queue?.topic);
    const filter = filterOf(req.filter_expression);
    const autoRenew = req.auto_renew === true && ctx.clientId !== '';
    const invisibleMs = msOfDuration(req.invisible_duration);
    if (!autoRenew && (invisibleMs === undefined || invisibleMs < MIN_INVISIBLE_MS || invisibleMs > MAX_INVISIBLE_MS)) {
      throw new DataplaneError(
        Code.ILLEGAL_INVISIBLE_TIME,
        `invisible duration must be from ${MIN_INVISIBLE_MS} ms to ${MAX_INVISIBLE_MS} ms, got ${invisibleMs ?? 'none'}`,
      );
    }
    const batch = req.batch_size ?? 0;
    if (!Number.isInteger(batch) || batch < 0)
      throw new DataplaneError(Code.BAD_REQUEST, `illegal batch size ${batch}`);
    const requestedPoll = msOfDuration(req.long_polling_timeout) ?? MAX_POLL_MS;
    if (requestedPoll < 0) throw new DataplaneError(Code.ILLEGAL_POLLING_TIME, 'long polling timeout is negative');
    const untilDeadline = call.deadlineMs - deps.clock.now() - DEADLINE_MARGIN_MS;
    const pollMs = Math.max(0, Math.min(Math.max(requestedPoll, MIN_POLL_MS), MAX_POLL_MS, untilDeadline));
    deps.liveness.seen(ctx.clientId);

    const delivered = await deps.consumption.receive({
      group,
      topic,
      filter,
      batchSize: batch === 0 ? DEFAULT_BATCH : Math.min(batch, MAX_BATCH),
      invisibleMs: invisibleMs ?? 0,
      ...(autoRenew && { renewFor: ctx.clientId }),
      ...(req.attempt_id && { attemptId: req.attempt_id }),
      pollMs,
      signal: call.signal,
    });
    if (delivered.length === 0) return [{ status: { code: Code.MESSAGE_NOT_FOUND, message: 'no new message' } }];
    deps.onDelivered?.(
      topic,
      group,
      delivered.map((d) => d.message.body.length),
    );
    const storeHost = deps.storeHost();
    return [
      { status: OK_STATUS },
      ...delivered.map((d) => ({
        message: toDeliveredMessage(
          d.message,
          { attempt: d.attempt, receiptHandle: d.receiptHandle, invisibleMs: d.invisibleMs },
          storeHost,
        ),
      })),
    ];
  };
}
