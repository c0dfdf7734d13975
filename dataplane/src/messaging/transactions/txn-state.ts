import { Code, DataplaneError } from '../../lib/errors.js';

/**
 * Life of an unresolved half message on this broker. A resolved one (committed or rolled back) leaves the table, so
 * its end is not a state here: `resolving` is the commit or rollback being written, `moving` is a copy being written
 * ahead of retention. Either goes back to `half` when its write fails.
 */
export type TxnState = 'half' | 'resolving' | 'moving';

const NEXT: Record<TxnState, readonly TxnState[]> = {
  half: ['resolving', 'moving'],
  resolving: ['half'],
  moving: ['half'],
};

export function transition(from: TxnState, to: TxnState): TxnState {
  if (!NEXT[from].includes(to)) throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `transaction ${from} -> ${to}`);
  return to;
}
