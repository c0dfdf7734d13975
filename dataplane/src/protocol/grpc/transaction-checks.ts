import type { CheckBack } from '../../messaging/transactions/transactions.js';
import type { ClientSessions } from './client-sessions.js';
import { toDeliveredMessage } from './delivered-message.js';

/**
 * How the broker asks a producer about an orphaned transaction (PROTOCOL.md §4.2, §7.10): a
 * `recover_orphaned_transaction_command` on the Telemetry stream of the client that sent the half message, else of any
 * producer of the topic. The message must decode like a delivered one (body digest, message id, topic); the producer's
 * checker answers with an EndTransaction of source SERVER_CHECK, and nothing comes back on the stream.
 */
export function transactionCheckBack(
  sessions: Pick<ClientSessions, 'sendToProducer'>,
  storeHost: () => string,
): CheckBack {
  return (message, transactionId, clientId) => {
    const wire = toDeliveredMessage(message, { attempt: 1 }, storeHost());
    const command = { recover_orphaned_transaction_command: { message: wire, transaction_id: transactionId } };
    return sessions.sendToProducer(message.topic, clientId, command) !== undefined;
  };
}
