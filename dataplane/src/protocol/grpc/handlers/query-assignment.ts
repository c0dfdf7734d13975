import { groupOf } from '../consumer-request.js';
import { OK_STATUS } from '../status.js';
import type {
  QueryAssignmentRequest,
  QueryAssignmentResponse,
  QueryRouteRequest,
  QueryRouteResponse,
} from '../wire.js';
import type { RpcContext } from './rpc-context.js';

/**
 * Push consumers' assignments, the POP way (PROTOCOL.md §5 QueryAssignment): every instance of a group gets the same
 * stable list, one readable queue (id 0) per broker of the topic, and ReceiveMessage shares the messages among the
 * concurrent pollers.
 */
export function queryAssignment(deps: {
  readonly queryRoute: (req: QueryRouteRequest, ctx: RpcContext) => Promise<QueryRouteResponse>;
}) {
  return async (req: QueryAssignmentRequest, ctx: RpcContext): Promise<QueryAssignmentResponse> => {
    groupOf(req.group);
    const route = await deps.queryRoute({ topic: req.topic ?? {} }, ctx);
    const assignments = route.message_queues
      .filter((q) => q.id === 0 && (q.permission === 'READ' || q.permission === 'READ_WRITE'))
      .map((message_queue) => ({ message_queue }));
    return { status: OK_STATUS, assignments };
  };
}
