import { Code, DataplaneError } from '../../../lib/errors.js';
import type { Topics } from '../../../messaging/topics.js';
import { type BrokerIdentity, toMessageQueues } from '../convert.js';
import { OK_STATUS } from '../status.js';
import type { QueryRouteRequest, QueryRouteResponse } from '../wire.js';

export interface QueryRouteDeps {
  readonly topics: Topics;
  /** This broker as routes name it; read per call because the endpoint is known only once the server is bound. */
  readonly broker: () => BrokerIdentity;
}

/** The topic's queues on this broker (one broker, its advertised endpoint); unknown topics are auto-created or 40402. */
export function queryRoute(deps: QueryRouteDeps) {
  return async (req: QueryRouteRequest): Promise<QueryRouteResponse> => {
    const name = req.topic?.name;
    if (!name) throw new DataplaneError(Code.ILLEGAL_TOPIC, 'query route without a topic name');
    const topic = await deps.topics.resolve(name);
    return { status: OK_STATUS, message_queues: toMessageQueues(name, topic, deps.broker()) };
  };
}
