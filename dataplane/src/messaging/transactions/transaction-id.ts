import { randomBytes } from 'node:crypto';

/**
 * Transaction ids the broker hands out in send receipts: 32 upper-case hex characters, a random prefix per broker run
 * and a counter, so ids never repeat across restarts without any state. Anything else in an EndTransaction is
 * malformed.
 */
const PATTERN = /^[0-9A-F]{32}$/;

export class TransactionIds {
  private readonly prefix = randomBytes(8).toString('hex').toUpperCase();
  private counter = 0;

  next(): string {
    return this.prefix + (this.counter++).toString(16).toUpperCase().padStart(16, '0');
  }
}

export function isTransactionId(value: string): boolean {
  return PATTERN.test(value);
}
