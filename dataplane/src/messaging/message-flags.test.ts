import { describe, expect, it } from 'vitest';
import { decodeFlags, encodeFlags, MESSAGE_TYPES } from './message-flags.js';

describe('message flags', () => {
  it('round-trips every message type with and without a gzip body', () => {
    for (const type of MESSAGE_TYPES) {
      for (const gzipBody of [false, true]) {
        expect(decodeFlags(encodeFlags({ type, gzipBody }))).toEqual({ type, gzipBody });
      }
    }
  });

  it('stores the type as its protocol number in the low four bits and gzip in bit 4', () => {
    expect(encodeFlags({ type: 'NORMAL', gzipBody: false })).toBe(1);
    expect(encodeFlags({ type: 'TRANSACTION', gzipBody: true })).toBe(0x14);
  });

  it('reports flags without a known type as undefined', () => {
    expect(decodeFlags(0)).toBeUndefined();
    expect(decodeFlags(0x0f)).toBeUndefined();
  });
});
