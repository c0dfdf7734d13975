import { Router } from 'express';
import { Code } from '../../lib/errors.js';
import { validateTopicName } from '../../storage/message-limits.js';
import type { TimerTable } from '../deps.js';
import { AdminError, methodNotAllowed, parseInput } from '../problem.js';
import { TimersQuery } from '../schemas.js';

/** Pending DELAY messages (scheduled, neither delivered nor recalled) on this broker, per topic. */
export function timerRoutes(deps: { readonly timers?: TimerTable | undefined }): Router {
  const router = Router();
  router
    .route('/v1/timers')
    .get(async (req, res) => {
      const { topic } = parseInput(TimersQuery, req.query, 'query');
      if (topic !== undefined) validateTopicName(topic);
      if (!deps.timers) throw new AdminError(Code.NOT_FOUND, 'timers are not enabled on this broker');
      const now = Date.now();
      const rows = (await deps.timers.pendingByTopic())
        .filter((row) => topic === undefined || row.topic === topic)
        .map((row) => ({ ...row, nextDueInMs: Math.max(0, row.nextDueAt - now) }));
      res.json({ topics: rows });
    })
    .all(methodNotAllowed('GET'));
  return router;
}
