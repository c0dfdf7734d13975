import { Code, DataplaneError } from '../../../lib/errors.js';
import type { EndOutcome, EndRequest, Transactions } from '../../../messaging/transactions/transactions.js';
import { validateTopicName } from '../../../storage/message-limits.js';
import { OK_STATUS } from '../status.js';
import type { EndTransactionRequest, StatusResponse } from '../wire.js';

export interface EndTransactionDeps {
  readonly transactions: Pick<Transactions, 'end'>;
}

const RESOLUTIONS: Record<string, EndRequest['resolution']> = { COMMIT: 'commit', ROLLBACK: 'rollback' };
const SOURCES: Record<string, EndRequest['source']> = {
  SOURCE_UNSPECIFIED: 'client',
  SOURCE_CLIENT: 'client',
  SOURCE_SERVER_CHECK: 'server-check',
};

/**
 * Commits or rolls back a transaction (PROTOCOL.md §5 EndTransaction). An unknown, malformed or already resolved
 * transaction id, or one that is not of the named message and topic, is INVALID_TRANSACTION_ID and changes nothing.
 */
export function endTransaction(deps: EndTransactionDeps) {
  return async (req: EndTransactionRequest): Promise<StatusResponse> => {
    const request = toEndRequest(req);
    return { status: statusOf(await deps.transactions.end(request), request) };
  };
}

function toEndRequest(req: EndTransactionRequest): EndRequest {
  if (req.topic?.resource_namespace) {
    throw new DataplaneError(Code.UNSUPPORTED, 'resource namespaces are not supported yet');
  }
  const topic = req.topic?.name ?? '';
  validateTopicName(topic);
  const messageId = req.message_id ?? '';
  if (messageId === '') throw new DataplaneError(Code.ILLEGAL_MESSAGE_ID, 'message id is empty');
  const resolution = RESOLUTIONS[String(req.resolution ?? '')];
  if (!resolution) {
    throw new DataplaneError(
      Code.BAD_REQUEST,
      `resolution must be COMMIT or ROLLBACK, not ${req.resolution ?? 'unset'}`,
    );
  }
  const source = SOURCES[String(req.source ?? 'SOURCE_UNSPECIFIED')];
  if (!source) throw new DataplaneError(Code.BAD_REQUEST, `unknown transaction source ${req.source}`);
  return { topic, messageId, transactionId: req.transaction_id ?? '', resolution, source };
}

function statusOf(outcome: EndOutcome, request: EndRequest): StatusResponse['status'] {
  const invalid = (message: string) => ({ code: Code.INVALID_TRANSACTION_ID, message });
  const id = request.transactionId;
  switch (outcome.kind) {
    case 'committed':
    case 'rolled-back':
      return OK_STATUS;
    case 'malformed-id':
      return invalid(`malformed transaction id ${JSON.stringify(id.slice(0, 64))}`);
    case 'unknown':
      return invalid(`no unresolved transaction ${id} on this broker`);
    case 'already-resolved':
      return invalid(`transaction ${id} was already ${outcome.resolution === 'commit' ? 'committed' : 'rolled back'}`);
    case 'mismatch':
      return invalid(outcome.reason);
  }
}
