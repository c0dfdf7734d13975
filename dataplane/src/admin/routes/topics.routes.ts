import { type Request, Router } from 'express';
import { Code } from '../../lib/errors.js';
import { acceptedMessageTypes, type TopicConfig } from '../../messaging/topics.js';
import { validateTopicName } from '../../storage/message-limits.js';
import type { MessageLookup, TopicRegistry } from '../deps.js';
import { AdminCode, AdminError, methodNotAllowed, parseInput, requireJson } from '../problem.js';
import { TopicSpec } from '../schemas.js';

/** Offsets are int64 on the wire elsewhere; JSON numbers lose precision past 2^53, so they travel as strings. */
export interface QueueOffsetsView {
  readonly queueId: number;
  readonly minOffset: string;
  readonly maxOffset: string;
}

export interface TopicView {
  readonly name: string;
  readonly messageType: TopicConfig['messageType'];
  readonly queues: number;
  readonly acceptMessageTypes: readonly string[];
}

export function topicView(name: string, config: TopicConfig): TopicView {
  return {
    name,
    messageType: config.messageType,
    queues: config.queues,
    acceptMessageTypes: acceptedMessageTypes(config.messageType),
  };
}

function queueOffsets(store: MessageLookup, name: string, queues: number): QueueOffsetsView[] {
  return Array.from({ length: queues }, (_, queueId) => {
    const { min, max } = store.queueOffsets(name, queueId);
    return { queueId, minOffset: String(min), maxOffset: String(max) };
  });
}

function topicParam(req: Request): string {
  const name = String(req.params.topic);
  validateTopicName(name);
  return name;
}

/** Queues may be added, never removed (queue ids and their offsets stay valid); the message type is fixed. */
function checkUpdate(name: string, existing: TopicConfig, spec: TopicSpec): void {
  if (spec.queues < existing.queues) {
    throw new AdminError(
      AdminCode.CONFLICT,
      `topic ${name} has ${existing.queues} queues; queues can be added, never removed`,
    );
  }
  if (spec.messageType !== existing.messageType) {
    throw new AdminError(
      AdminCode.CONFLICT,
      `topic ${name} is ${existing.messageType}; its message type cannot change to ${spec.messageType}`,
    );
  }
}

export function topicRoutes(deps: { readonly topics: TopicRegistry; readonly store: MessageLookup }): Router {
  const { topics, store } = deps;
  const router = Router();
  const notFound = (name: string) => new AdminError(Code.TOPIC_NOT_FOUND, `topic ${name} does not exist`);

  router
    .route('/v1/topics')
    .get((_req, res) => {
      const list = topics
        .list()
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, config]) => topicView(name, config));
      res.json({ topics: list });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/v1/topics/:topic')
    .get((req, res) => {
      const name = topicParam(req);
      const config = topics.get(name);
      if (!config) throw notFound(name);
      res.json({ ...topicView(name, config), queueOffsets: queueOffsets(store, name, config.queues) });
    })
    .put(async (req, res) => {
      const name = topicParam(req);
      requireJson(req);
      const spec = parseInput(TopicSpec, req.body, 'body');
      const existing = topics.get(name);
      if (existing) checkUpdate(name, existing, spec);
      const saved = await topics.put(name, spec);
      if (!existing) res.status(201).location(`/v1/topics/${encodeURIComponent(name)}`);
      res.json({ ...topicView(name, saved), queueOffsets: queueOffsets(store, name, saved.queues) });
    })
    .delete(async (req, res) => {
      const name = topicParam(req);
      if (!(await topics.delete(name))) throw notFound(name);
      res.status(204).end();
    })
    .all(methodNotAllowed('GET', 'PUT', 'DELETE'));

  return router;
}
