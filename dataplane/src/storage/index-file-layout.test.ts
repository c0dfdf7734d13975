import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeHeader, fileBytes, type IndexHeader, viewOf } from './index-file-layout.js';

const header: IndexHeader = {
  slotCount: 8,
  entryCapacity: 3,
  entryCount: 2,
  minCommitOffset: 0x0102n,
  maxCommitOffset: 0x0304n,
  minStoreTimestamp: 1_750_000_000_000,
  maxStoreTimestamp: 1_750_000_000_001,
};

function encoded(h: IndexHeader, entryCount?: number): Buffer {
  const bytes = Buffer.alloc(64);
  encodeHeader(h, viewOf(bytes), entryCount);
  return bytes;
}

describe('index file layout', () => {
  it('encodes the header little-endian at the positions drawn in the layout', () => {
    const bytes = encoded(header);
    expect(bytes.subarray(0, 24).toString('hex')).toBe(
      '58444952' + '0100' + '0000' + '08000000' + '03000000' + '02000000' + '00000000',
    );
    expect(bytes.readBigUInt64LE(24)).toBe(0x0102n);
    expect(bytes.readBigUInt64LE(32)).toBe(0x0304n);
    expect(bytes.readBigUInt64LE(40)).toBe(1_750_000_000_000n);
    expect(bytes.readBigUInt64LE(48)).toBe(1_750_000_000_001n);
    expect(bytes.readBigUInt64LE(56)).toBe(0n);
  });

  it('writes the given entry count instead of the header one when asked', () => {
    expect(encoded(header, 0).readUInt32LE(16)).toBe(0);
  });

  it('decodes what it encodes when the size matches the header', () => {
    const size = fileBytes(header);
    expect(size).toBe(64 + 8 * 4 + 3 * 24);
    expect(decodeHeader(viewOf(encoded(header)), size)).toEqual({ kind: 'valid', header });
  });

  it('reports a short file, a bad magic, an unknown version, an overfull count and a wrong size as corrupt', () => {
    const size = fileBytes(header);
    const reason = (bytes: Buffer, sizeBytes = size) => {
      const read = decodeHeader(viewOf(bytes), sizeBytes);
      return read.kind === 'corrupt' ? read.reason : 'valid';
    };
    const patched = (at: number, value: number) => {
      const bytes = encoded(header);
      bytes.writeUInt32LE(value, at);
      return bytes;
    };
    expect(reason(encoded(header), 63)).toBe('63 bytes is shorter than the header');
    expect(reason(patched(0, 0xdeadbeef))).toBe('bad magic 0xdeadbeef');
    expect(reason(patched(4, 2))).toBe('unsupported version 2');
    expect(reason(patched(8, 0))).toBe('slot count 0 out of range');
    expect(reason(patched(16, 4))).toBe('entry count 4 exceeds capacity');
    expect(reason(encoded(header), size + 1)).toBe(`size ${size + 1} bytes, header implies ${size}`);
  });
});
