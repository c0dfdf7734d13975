import type { Clock } from '../../../lib/clock.js';
import { Code, DataplaneError } from '../../../lib/errors.js';
import { type PublishedMessage, type SendDeps, type SendOutcome, sendMessages } from '../../../messaging/send.js';
import type { SendMetrics } from '../../../metrics/broker-metrics.js';
import { toPublishedMessage, toSendResultEntry } from '../convert.js';
import { OK_STATUS, toStatus } from '../status.js';
import type { SendMessageRequest, SendMessageResponse } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

export interface SendMessageDeps extends SendDeps {
  readonly clock: Clock;
  readonly metrics: SendMetrics;
}

/** Stores one or many messages; exactly one entry per message, in order, with its own status. */
export function sendMessage(deps: SendMessageDeps) {
  return async (req: SendMessageRequest, ctx: RpcContext): Promise<SendMessageResponse> => {
    const wires = req.messages ?? [];
    if (wires.length === 0) throw new DataplaneError(Code.BAD_REQUEST, 'send without messages');
    const now = deps.clock.now();
    // Kept for the metrics: a stored outcome's message was converted, so its slot is set.
    const published: PublishedMessage[] = new Array(wires.length);
    const outcomes = await sendMessages(
      deps,
      wires.map((wire, i) => () => {
        const message = toPublishedMessage(wire, now);
        published[i] = message;
        return message;
      }),
      ctx.clientId,
    );
    recordStored(deps.metrics, published, outcomes);
    const entries = outcomes.map((outcome, i) =>
      outcome.kind === 'stored'
        ? toSendResultEntry(outcome.receipt, OK_STATUS)
        : {
            status: toStatus(outcome.error, ctx.log),
            message_id: wires[i]?.system_properties?.message_id ?? '',
            transaction_id: '',
            offset: '0',
          },
    );
    // The client raises the first failed entry; the top level repeats it for clients that read only that.
    return { status: entries.find((e) => e.status.code !== OK_STATUS.code)?.status ?? OK_STATUS, entries };
  };
}

/**
 * One metrics call per run of stored messages with the same topic and type (a request almost always has one), so
 * label sets are resolved per request, not per message.
 */
function recordStored(metrics: SendMetrics, published: readonly PublishedMessage[], outcomes: readonly SendOutcome[]) {
  let run: PublishedMessage | undefined;
  let sizes: number[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    const message = published[i];
    if (outcome.kind !== 'stored' || !message) continue;
    if (run && (run.topic !== message.topic || run.type !== message.type)) {
      metrics.recordSend(run.topic, run.type, sizes);
      sizes = [];
    }
    run = message;
    sizes.push(message.body.length);
  }
  if (run) metrics.recordSend(run.topic, run.type, sizes);
}
