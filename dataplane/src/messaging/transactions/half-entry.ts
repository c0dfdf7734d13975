import type { TxnState } from './txn-state.js';

/** What the broker keeps in memory per unresolved half message: no body, a few fields (the body stays on disk). */
export class HalfEntry {
  state: TxnState = 'half';

  constructor(
    readonly txnId: string,
    readonly messageId: string,
    /** The topic the transaction commits to. */
    readonly topic: string,
    /** The client that sent the half message ('' when unknown); it is checked first. */
    readonly clientId: string,
    /** Where the half message is: its offset in the half queue and in the commit log (copies move it forward). */
    public halfOffset: number,
    public physicalOffset: number,
    /** Epoch ms the (first) half message was stored. */
    readonly storeTimestamp: number,
    /** Checks sent so far. */
    public checks: number,
    /** Epoch ms of the last check; before the first, when the half message was stored (or the broker opened). */
    public since: number,
  ) {}

  /** Being resolved or copied: checks and other writers wait. */
  get busy(): boolean {
    return this.state !== 'half';
  }
}
