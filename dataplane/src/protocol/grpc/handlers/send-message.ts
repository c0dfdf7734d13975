import type { Clock } from '../../../lib/clock.js';
import { Code, DataplaneError } from '../../../lib/errors.js';
import { type SendDeps, sendMessages } from '../../../messaging/send.js';
import { toPublishedMessage, toSendResultEntry } from '../convert.js';
import { OK_STATUS, toStatus } from '../status.js';
import type { SendMessageRequest, SendMessageResponse } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

export interface SendMessageDeps extends SendDeps {
  readonly clock: Clock;
}

/** Stores one or many messages; exactly one entry per message, in order, with its own status. */
export function sendMessage(deps: SendMessageDeps) {
  return async (req: SendMessageRequest, ctx: RpcContext): Promise<SendMessageResponse> => {
    const wires = req.messages ?? [];
    if (wires.length === 0) throw new DataplaneError(Code.BAD_REQUEST, 'send without messages');
    const now = deps.clock.now();
    const outcomes = await sendMessages(
      deps,
      wires.map((wire) => () => toPublishedMessage(wire, now)),
    );
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
