import { OK_STATUS } from '../status.js';
import type { HeartbeatRequest, StatusResponse } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

/** Liveness; nothing depends on it yet (client tracking arrives with pop consumption). The client only logs the answer. */
export function heartbeat() {
  return async (req: HeartbeatRequest, ctx: RpcContext): Promise<StatusResponse> => {
    ctx.log.debug({ clientType: req.client_type, group: req.group?.name }, 'heartbeat');
    return { status: OK_STATUS };
  };
}
