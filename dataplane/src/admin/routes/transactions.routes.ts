import { Router } from 'express';
import { Code } from '../../lib/errors.js';
import { validateTopicName } from '../../storage/message-limits.js';
import type { TransactionTable } from '../deps.js';
import { AdminError, methodNotAllowed, parseInput } from '../problem.js';
import { TransactionsQuery } from '../schemas.js';

/** Unresolved transactions (half messages neither committed nor rolled back yet) on this broker, per topic. */
export function transactionRoutes(deps: { readonly transactions?: TransactionTable | undefined }): Router {
  const router = Router();
  router
    .route('/v1/transactions')
    .get((req, res) => {
      const { topic } = parseInput(TransactionsQuery, req.query, 'query');
      if (topic !== undefined) validateTopicName(topic);
      if (!deps.transactions) throw new AdminError(Code.NOT_FOUND, 'transactions are not enabled on this broker');
      const rows = deps.transactions.unresolvedByTopic().filter((row) => topic === undefined || row.topic === topic);
      res.json({ topics: rows });
    })
    .all(methodNotAllowed('GET'));
  return router;
}
