import type { ClientLiveness } from '../../../messaging/pop/client-liveness.js';
import type { Consumption } from '../../../messaging/pop/consumption.js';
import { OK_STATUS } from '../status.js';
import type { NotifyClientTerminationRequest, StatusResponse } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

/**
 * The client is leaving: it is no longer alive, and the deliveries the broker renewed for it become visible again at
 * once. Always OK: the client awaits this without a catch, so any gRPC error makes its `shutdown()` reject.
 */
export function notifyClientTermination(deps: {
  readonly consumption: Pick<Consumption, 'clientTerminated'>;
  readonly liveness: ClientLiveness;
}) {
  return async (req: NotifyClientTerminationRequest, ctx: RpcContext): Promise<StatusResponse> => {
    ctx.log.debug({ group: req.group?.name }, 'client terminated');
    if (ctx.clientId !== '') {
      deps.liveness.terminated(ctx.clientId);
      deps.consumption.clientTerminated(ctx.clientId);
    }
    return { status: OK_STATUS };
  };
}
