import { describe, expect, it } from 'vitest';
import { decodeRecord, encodedSize, encodeRecord, type MessageInput, RECORD_MIN_BYTES } from './record-codec.js';

const msg: MessageInput = {
  topic: 'T',
  queueId: 2,
  messageId: 'M1',
  tag: 'a',
  keys: ['k'],
  properties: { p: 'v' },
  body: Buffer.from('hi'),
  bornTimestamp: 5,
  flags: 1,
};
const placement = { queueOffset: 3, physicalOffset: 16, storeTimestamp: 6, tagHash: 7 };

function encoded(m: MessageInput = msg): Buffer {
  const size = encodedSize(m);
  const buf = Buffer.alloc(size);
  encodeRecord(buf, 0, size, m, placement);
  return buf;
}

describe('record codec', () => {
  it('encodes the documented version-1 layout (golden bytes)', () => {
    const hex = encoded().toString('hex');
    expect(hex).toBe(
      [
        '5b000000', // total size 91
        hex.slice(8, 16), // crc (checked below)
        '524d',
        '01',
        '00', // magic 'RM' LE, version 1, reserved
        '01000000', // flags
        '02000000', // queue id
        '0300000000000000', // queue offset
        '1000000000000000', // physical offset 16
        '0500000000000000', // born
        '0600000000000000', // stored
        '0700000000000000', // tag hash
        '0100',
        '54', // topic
        '0200',
        '4d31', // message id
        '0100',
        '61', // tag
        '0100',
        '0100',
        '6b', // one key
        '06000000',
        '0100',
        '70',
        '0100',
        '76', // properties
        '02000000',
        '6869', // body
      ].join(''),
    );
    const result = decodeRecord(encoded(), 0, 16n);
    expect(result.kind).toBe('record');
  });

  it('decodes every field back, with the body as a view', () => {
    const result = decodeRecord(encoded(), 0, 16n);
    if (result.kind !== 'record') throw new Error(result.kind);
    const { body, ...rest } = result.message;
    expect(body.toString()).toBe('hi');
    expect(rest).toEqual({
      topic: 'T',
      queueId: 2,
      messageId: 'M1',
      tag: 'a',
      keys: ['k'],
      properties: { p: 'v' },
      bornTimestamp: 5,
      flags: 1,
      queueOffset: 3n,
      physicalOffset: 16n,
      storeTimestamp: 6,
      tagHash: 7n,
      size: 91,
    });
  });

  it('reports every strict prefix as incomplete, never as a record', () => {
    const full = encoded();
    for (let n = 1; n < full.length; n++) {
      const kind = decodeRecord(full.subarray(0, n), 0).kind;
      expect(kind === 'incomplete' || (n < 12 && kind === 'corrupt')).toBe(true);
    }
    expect(decodeRecord(full.subarray(0, 0), 0).kind).toBe('end');
  });

  it('detects any single flipped byte', () => {
    const full = encoded({ ...msg, body: Buffer.alloc(300, 9) });
    for (let i = 0; i < full.length; i++) {
      const copy = Buffer.from(full);
      copy[i] = (copy[i] as number) ^ 0x40;
      expect(decodeRecord(copy, 0, 16n).kind, `byte ${i}`).not.toBe('record');
    }
  });

  it('rejects a record that claims another offset', () => {
    expect(decodeRecord(encoded(), 0, 17n)).toEqual({ kind: 'corrupt', reason: 'record claims offset 16' });
  });

  it('treats a zero length as the end of data and a short length as corrupt', () => {
    expect(decodeRecord(Buffer.alloc(64), 0).kind).toBe('end');
    const short = Buffer.alloc(64);
    short.writeUInt32LE(RECORD_MIN_BYTES - 1, 0);
    expect(decodeRecord(short, 0).kind).toBe('corrupt');
  });

  it('round-trips multi-byte UTF-8 strings and an empty body', () => {
    const m = {
      ...msg,
      topic: 'orders',
      tag: 'übung',
      keys: ['ключ', '鍵'],
      properties: { 'x-名前': '値' },
      body: Buffer.alloc(0),
    };
    const result = decodeRecord(encoded(m), 0, 16n);
    if (result.kind !== 'record') throw new Error(result.kind);
    expect([result.message.tag, result.message.keys, result.message.properties, result.message.body.length]).toEqual([
      'übung',
      ['ключ', '鍵'],
      { 'x-名前': '値' },
      0,
    ]);
  });
});
