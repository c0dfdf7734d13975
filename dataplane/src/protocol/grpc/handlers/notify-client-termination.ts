import { OK_STATUS } from '../status.js';
import type { NotifyClientTerminationRequest, StatusResponse } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

/** Always OK: the client awaits this without a catch, so any gRPC error makes its `shutdown()` reject. */
export function notifyClientTermination() {
  return async (req: NotifyClientTerminationRequest, ctx: RpcContext): Promise<StatusResponse> => {
    ctx.log.debug({ group: req.group?.name }, 'client terminated');
    return { status: OK_STATUS };
  };
}
