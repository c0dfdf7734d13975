import type { ClientLiveness } from '../../../messaging/pop/client-liveness.js';
import { OK_STATUS } from '../status.js';
import type { HeartbeatRequest, StatusResponse } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

/** Keeps the client alive (push consumers' deliveries are renewed while it is). The client only logs the answer. */
export function heartbeat(deps: { readonly liveness: ClientLiveness }) {
  return async (req: HeartbeatRequest, ctx: RpcContext): Promise<StatusResponse> => {
    ctx.log.debug({ clientType: req.client_type, group: req.group?.name }, 'heartbeat');
    deps.liveness.seen(ctx.clientId);
    return { status: OK_STATUS };
  };
}
