import { Code, DataplaneError } from '../../../lib/errors.js';
import type { Topics } from '../../../messaging/topics.js';
import type { RouteSource } from '../../../namesrv/route-source.js';
import { type BrokerIdentity, endpointsOf, toMessageQueues } from '../convert.js';
import { OK_STATUS } from '../status.js';
import type { QueryRouteRequest, QueryRouteResponse, WireMessageQueue } from '../wire.js';

export interface QueryRouteDeps {
  readonly topics: Topics;
  /** Every live broker's queues of a topic: the name server's view, or this broker alone in standalone mode. */
  readonly routes: RouteSource;
  /** Re-registers this broker now (after it created a topic) so the next route lookup includes it. */
  readonly refreshRegistration: (topic: string) => Promise<void>;
  /** This broker as routes name it; read per call because the endpoint is known only once the server is bound. */
  readonly broker: () => BrokerIdentity;
}

/**
 * Every broker group's queues of the topic, each with that broker's own endpoint. A topic no live broker has is
 * created here (auto-create) or answered with 40402; a just-created topic routes to this broker even before its
 * registration reaches the name server.
 */
export function queryRoute(deps: QueryRouteDeps) {
  return async (req: QueryRouteRequest): Promise<QueryRouteResponse> => {
    const name = req.topic?.name;
    if (!name) throw new DataplaneError(Code.ILLEGAL_TOPIC, 'query route without a topic name');
    let routes = await deps.routes.routesFor(name);
    if (routes.length === 0) {
      const topic = await deps.topics.resolve(name);
      await deps.refreshRegistration(name);
      routes = await deps.routes.routesFor(name);
      if (routes.length === 0)
        return { status: OK_STATUS, message_queues: toMessageQueues(name, topic, deps.broker()) };
    }
    const queues: WireMessageQueue[] = routes.flatMap((r) =>
      toMessageQueues(
        name,
        { queues: r.queues, messageType: r.messageType },
        { name: r.brokerName, endpoints: endpointsOf(r.endpoint) },
        r.perm === 'RW' ? 'READ_WRITE' : 'READ',
      ),
    );
    return { status: OK_STATUS, message_queues: queues };
  };
}
