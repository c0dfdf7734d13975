import { type Request, Router } from 'express';
import { Code } from '../../lib/errors.js';
import { type GroupConfig, validateGroupName } from '../../messaging/groups.js';
import { deadLetterTopicOf } from '../../messaging/pop/dead-letters.js';
import type { GroupRegistry } from '../deps.js';
import { AdminCode, AdminError, methodNotAllowed, parseInput, requireJson } from '../problem.js';
import { GroupSpec } from '../schemas.js';

export interface GroupView extends GroupConfig {
  readonly name: string;
  /** Where messages go after `maxDeliveryAttempts` deliveries (RocketMQ's naming). */
  readonly deadLetterTopic: string;
}

export function groupView(name: string, config: GroupConfig): GroupView {
  return { name, ...config, deadLetterTopic: deadLetterTopicOf(name) };
}

function groupParam(req: Request): string {
  const name = String(req.params.group);
  validateGroupName(name);
  return name;
}

export function groupRoutes(deps: { readonly groups: GroupRegistry }): Router {
  const { groups } = deps;
  const router = Router();
  const notFound = (name: string) =>
    new AdminError(Code.CONSUMER_GROUP_NOT_FOUND, `consumer group ${name} does not exist`);

  router
    .route('/v1/groups')
    .get((_req, res) => {
      const list = groups
        .list()
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, config]) => groupView(name, config));
      res.json({ groups: list });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/v1/groups/:group')
    .get((req, res) => {
      const name = groupParam(req);
      const config = groups.get(name);
      if (!config) throw notFound(name);
      res.json(groupView(name, config));
    })
    .put(async (req, res) => {
      const name = groupParam(req);
      requireJson(req);
      const spec = parseInput(GroupSpec, req.body, 'body');
      const existing = groups.get(name);
      // Consumers pick their consume service (orderly or concurrent) once, from the first Settings reply.
      if (existing && existing.fifo !== spec.fifo) {
        throw new AdminError(
          AdminCode.CONFLICT,
          `consumer group ${name} is ${existing.fifo ? '' : 'not '}FIFO; that cannot change (delete and recreate it)`,
        );
      }
      const saved = await groups.put(name, spec);
      if (!existing) res.status(201).location(`/v1/groups/${encodeURIComponent(name)}`);
      res.json(groupView(name, saved));
    })
    .delete(async (req, res) => {
      const name = groupParam(req);
      if (!(await groups.delete(name))) throw notFound(name);
      res.status(204).end();
    })
    .all(methodNotAllowed('GET', 'PUT', 'DELETE'));

  return router;
}
