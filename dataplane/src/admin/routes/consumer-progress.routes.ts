import { type Request, Router } from 'express';
import { Code } from '../../lib/errors.js';
import { validateGroupName } from '../../messaging/groups.js';
import { offsetByTime } from '../../storage/offset-by-time.js';
import type { ConsumerProgress, GroupRegistry, QueueReader, TopicRegistry } from '../deps.js';
import { AdminError, methodNotAllowed, parseInput, requireJson } from '../problem.js';
import { OffsetResetSpec } from '../schemas.js';

function knownGroup(req: Request, groups: GroupRegistry): string {
  const name = String(req.params.group);
  validateGroupName(name);
  if (!groups.get(name)) throw new AdminError(Code.CONSUMER_GROUP_NOT_FOUND, `consumer group ${name} does not exist`);
  return name;
}

/** A group's consumption: lag per topic and queue, and offset resets (to the start, the end, or a point in time). */
export function consumerProgressRoutes(deps: {
  readonly groups: GroupRegistry;
  readonly topics: TopicRegistry;
  readonly store: QueueReader;
  readonly consumption: ConsumerProgress;
}): Router {
  const router = Router();

  router
    .route('/v1/groups/:group/lag')
    .get(async (req, res) => {
      const group = knownGroup(req, deps.groups);
      const queues = await deps.consumption.lag(group);
      const total = queues.reduce((t, q) => ({ ready: t.ready + q.ready, inflight: t.inflight + q.inflight }), {
        ready: 0,
        inflight: 0,
      });
      res.json({ group, ...total, queues });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/v1/groups/:group/offsets\\:reset')
    .post(async (req, res) => {
      const group = knownGroup(req, deps.groups);
      requireJson(req);
      const { topic, to } = parseInput(OffsetResetSpec, req.body, 'body');
      if (!deps.topics.get(topic)) throw new AdminError(Code.TOPIC_NOT_FOUND, `topic ${topic} does not exist`);
      const offsets = await deps.consumption.resetOffsets(group, topic, async (queueId) => {
        const { min, max } = deps.store.queueOffsets(topic, queueId);
        if (to === 'earliest') return min;
        if (to === 'latest') return max;
        return offsetByTime(deps.store, topic, queueId, Date.parse(to));
      });
      res.json({ group, topic, to, offsets });
    })
    .all(methodNotAllowed('POST'));

  return router;
}
