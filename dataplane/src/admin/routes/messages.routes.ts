import { Router } from 'express';
import { Code } from '../../lib/errors.js';
import { SYSTEM_PROPERTY, splitProperties } from '../../messaging/system-properties.js';
import { validateTopicName } from '../../storage/message-limits.js';
import type { StoredMessage } from '../../storage/record-codec.js';
import type { MessageLookup } from '../deps.js';
import { AdminError, methodNotAllowed, parseInput } from '../problem.js';
import { MessageByIdQuery, MessagesByKeyQuery } from '../schemas.js';

/** A stored message as JSON: offsets as decimal strings, timestamps in epoch ms, the body in base64. */
export interface MessageView {
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: string;
  readonly physicalOffset: string;
  readonly messageId: string;
  readonly tag: string;
  readonly keys: readonly string[];
  /** User properties only. */
  readonly properties: Readonly<Record<string, string>>;
  readonly bornHost: string;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly bodySize: number;
  readonly body: string;
}

export function messageView(m: StoredMessage): MessageView {
  const { user, system } = splitProperties(m.properties);
  return {
    topic: m.topic,
    queueId: m.queueId,
    queueOffset: String(m.queueOffset),
    physicalOffset: String(m.physicalOffset),
    messageId: m.messageId,
    tag: m.tag,
    keys: m.keys,
    properties: user,
    bornHost: system[SYSTEM_PROPERTY.bornHost] ?? '',
    bornTimestamp: m.bornTimestamp,
    storeTimestamp: m.storeTimestamp,
    bodySize: m.body.byteLength,
    body: m.body.toString('base64'),
  };
}

/** Lookups through the message index. Messages are found by what is stored, whether or not the topic is registered. */
export function messageRoutes(deps: { readonly store: MessageLookup }): Router {
  const { store } = deps;
  const router = Router();

  router
    .route('/v1/messages')
    .get(async (req, res) => {
      const { topic, key } = parseInput(MessagesByKeyQuery, req.query, 'query');
      validateTopicName(topic);
      const found = await store.lookupByKey(topic, key);
      res.json({ messages: found.map(messageView) });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/v1/messages/:messageId')
    .get(async (req, res) => {
      const { topic } = parseInput(MessageByIdQuery, req.query, 'query');
      validateTopicName(topic);
      const messageId = String(req.params.messageId);
      // Client-generated ids may repeat; the newest stored message with the id is the answer.
      const [newest] = await store.lookupByMessageId(topic, messageId, 1);
      if (!newest) throw new AdminError(Code.NOT_FOUND, `no message ${messageId} in topic ${topic}`);
      res.json(messageView(newest));
    })
    .all(methodNotAllowed('GET'));

  return router;
}
