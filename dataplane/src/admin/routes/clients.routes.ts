import { type Request, Router } from 'express';
import { Code } from '../../lib/errors.js';
import { toDeliveredMessage } from '../../protocol/grpc/delivered-message.js';
import { validateTopicName } from '../../storage/message-limits.js';
import type { ClientCommands, MessageLookup } from '../deps.js';
import { AdminError, methodNotAllowed, parseInput, requireJson } from '../problem.js';
import { VerifyMessageSpec } from '../schemas.js';

const clientIdOf = (req: Request) => String(req.params.clientId);

/**
 * Clients connected to this broker over Telemetry, and the commands RocketMQ sends them: print a thread stack
 * trace, verify (consume directly) a stored message, reconnect. A client that does not answer in time is a 504.
 */
export function clientRoutes(deps: { readonly sessions: ClientCommands; readonly store: MessageLookup }): Router {
  const { sessions } = deps;
  const router = Router();

  router
    .route('/v1/clients')
    .get((_req, res) => {
      res.json({ clients: sessions.list() });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/v1/clients/:clientId\\:printStackTrace')
    .post(async (req, res) => {
      const clientId = clientIdOf(req);
      const answer = await sessions.printThreadStackTrace(clientId);
      res.json({ clientId, status: answer.status ?? null, stackTrace: answer.text ?? '' });
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/v1/clients/:clientId\\:verifyMessage')
    .post(async (req, res) => {
      const clientId = clientIdOf(req);
      requireJson(req);
      const { topic, messageId } = parseInput(VerifyMessageSpec, req.body, 'body');
      validateTopicName(topic);
      const [message] = await deps.store.lookupByMessageId(topic, messageId, 1);
      if (!message) throw new AdminError(Code.MESSAGE_NOT_FOUND, `no message ${messageId} in topic ${topic}`);
      const answer = await sessions.verifyMessage(clientId, toDeliveredMessage(message, { attempt: 1 }, ''));
      res.json({ clientId, status: answer.status ?? null });
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/v1/clients/:clientId\\:reconnect')
    .post((req, res) => {
      const clientId = clientIdOf(req);
      sessions.reconnect(clientId);
      res.status(202).json({ clientId });
    })
    .all(methodNotAllowed('POST'));

  return router;
}
