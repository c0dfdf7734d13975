import { describe, expect, it } from 'vitest';
import { Code } from '../../lib/errors.js';
import { decodeReceiptHandle, encodeReceiptHandle } from './receipt-handle.js';

describe('receipt handle', () => {
  it('round-trips what it names', () => {
    const handle = { epoch: 0xdeadbeef, queueId: 1023, offset: 2 ** 40 + 7, delivery: 42, retry: true };
    expect(decodeReceiptHandle(encodeReceiptHandle(handle))).toEqual(handle);
  });

  it.each([
    ['empty', ''],
    ['undefined', undefined],
    ['not base64url', '!!!!'],
    ['too short', encodeReceiptHandle({ epoch: 1, queueId: 0, offset: 0, delivery: 1, retry: false }).slice(0, 10)],
    ['another version', Buffer.alloc(20, 2).toString('base64url')],
  ])('rejects a %s handle with INVALID_RECEIPT_HANDLE', (_, text) => {
    expect(() => decodeReceiptHandle(text)).toThrow(expect.objectContaining({ code: Code.INVALID_RECEIPT_HANDLE }));
  });
});
