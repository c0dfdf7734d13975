import { Code, DataplaneError } from '../../lib/errors.js';

/**
 * What a receipt handle names: one delivery of one queue entry. `epoch` is random per broker run and `delivery` a
 * counter within it, so a handle from before a restart, or from an earlier delivery of the same message, never
 * matches the current one. The handle is opaque to clients (PROTOCOL.md §7.6).
 */
export interface ReceiptHandle {
  readonly epoch: number;
  /** The entry is in the group's retry topic for the message's topic (see retry-topics.ts), not in the topic. */
  readonly retry: boolean;
  readonly queueId: number;
  readonly offset: number;
  readonly delivery: number;
}

const VERSION = 1;
const BYTES = 1 + 4 + 2 + 8 + 4 + 1;

export function encodeReceiptHandle(h: ReceiptHandle): string {
  const buf = Buffer.allocUnsafe(BYTES);
  buf.writeUInt8(VERSION, 0);
  buf.writeUInt32BE(h.epoch, 1);
  buf.writeUInt16BE(h.queueId, 5);
  buf.writeBigUInt64BE(BigInt(h.offset), 7);
  buf.writeUInt32BE(h.delivery, 15);
  buf.writeUInt8(h.retry ? 1 : 0, 19);
  return buf.toString('base64url');
}

/** Throws INVALID_RECEIPT_HANDLE for anything this broker did not produce. */
export function decodeReceiptHandle(text: string | undefined): ReceiptHandle {
  const buf = text ? Buffer.from(text, 'base64url') : Buffer.alloc(0);
  if (
    buf.length !== BYTES ||
    buf.readUInt8(0) !== VERSION ||
    buf.readUInt8(19) > 1 ||
    buf.toString('base64url') !== text
  ) {
    throw new DataplaneError(Code.INVALID_RECEIPT_HANDLE, 'malformed receipt handle');
  }
  const offset = buf.readBigUInt64BE(7);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DataplaneError(Code.INVALID_RECEIPT_HANDLE, 'malformed receipt handle');
  }
  return {
    epoch: buf.readUInt32BE(1),
    queueId: buf.readUInt16BE(5),
    offset: Number(offset),
    delivery: buf.readUInt32BE(15),
    retry: buf.readUInt8(19) === 1,
  };
}
