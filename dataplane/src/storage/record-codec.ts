import { crc32 } from 'node:zlib';

/**
 * Commit-log record, version 1. Integers are little-endian; strings are UTF-8.
 *
 *   0   u32  totalSize       bytes of the whole record, this field included
 *   4   u32  crc32           over bytes [8,totalSize); totalSize is checked against the fields' own lengths
 *   8   u16  magic           0x4D52 ('RM')
 *  10   u8   version         1
 *  11   u8   reserved        0
 *  12   u32  flags           opaque to storage (message type bits, owned by messaging)
 *  16   u32  queueId
 *  20   u64  queueOffset
 *  28   u64  physicalOffset  where this record starts in the commit log (detects misplaced reads)
 *  36   u64  bornTimestamp   ms, as the producer stamped it
 *  44   u64  storeTimestamp  ms, when the broker appended it
 *  52   u64  tagHash         what the consume queue entry carries for broker-side tag filtering
 *  60   u16  topic length,      topic
 *       u16  message id length, message id
 *       u16  tag length,        tag ('' = none)
 *       u16  key count,         then per key: u16 length, key
 *       u32  properties length, then per property: u16 key length, key, u16 value length, value
 *       u32  body length,       body
 *
 * Records never span segments; a record starting with totalSize 0 marks unwritten space (end of data).
 */
export const RECORD_MAGIC = 0x4d52;
export const RECORD_VERSION = 1;
export const RECORD_FIXED_BYTES = 60;
/** Smallest possible record: fixed part plus the empty variable fields. */
export const RECORD_MIN_BYTES = RECORD_FIXED_BYTES + 2 + 2 + 2 + 2 + 4 + 4;

export interface MessageInput {
  readonly topic: string;
  readonly queueId: number;
  readonly messageId: string;
  /** '' when the message has no tag. */
  readonly tag: string;
  readonly keys: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly bornTimestamp: number;
  readonly flags: number;
}

export interface RecordPlacement {
  readonly queueOffset: bigint;
  readonly physicalOffset: bigint;
  readonly storeTimestamp: number;
  readonly tagHash: bigint;
}

/** What the append path knows of a record's place, as plain numbers (all below 2^53): no BigInt on the hot path. */
export interface NumericPlacement {
  readonly queueOffset: number;
  readonly physicalOffset: number;
  readonly storeTimestamp: number;
  readonly tagHash: number;
}

export interface StoredMessage extends Omit<MessageInput, 'body'>, RecordPlacement {
  /** A view of the bytes read from disk. */
  readonly body: Buffer;
  /** Size of the whole record in the commit log. */
  readonly size: number;
}

export type DecodeResult =
  | { kind: 'record'; message: StoredMessage }
  /** Zero length: nothing was written here. */
  | { kind: 'end' }
  /** The buffer ends before the record does; read more and retry. */
  | { kind: 'incomplete'; size: number }
  | { kind: 'corrupt'; reason: string };

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Bytes the record for `msg` takes; the caller checks it against limits and segment space before encoding. */
export function encodedSize(msg: MessageInput, propertiesBytes = propertiesSize(msg.properties)): number {
  let size = RECORD_MIN_BYTES + utf8Length(msg.topic) + utf8Length(msg.messageId) + utf8Length(msg.tag);
  for (const key of msg.keys) size += 2 + utf8Length(key);
  return size + propertiesBytes + msg.body.byteLength;
}

export function propertiesSize(properties: Readonly<Record<string, string>>): number {
  let size = 0;
  for (const key in properties) size += 4 + utf8Length(key) + utf8Length(properties[key] as string);
  return size;
}

/**
 * Writes the record at `pos` (exactly `size` bytes, from encodedSize) and seals it with its CRC. Integers go through a
 * DataView (pass one over `buf` to save its allocation): on Node 20 Buffer's write methods cost several times more
 * per call, and this runs once per message.
 */
export function encodeRecord(
  buf: Buffer,
  pos: number,
  size: number,
  msg: MessageInput,
  placement: NumericPlacement,
  view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
): void {
  view.setUint32(pos, size, true);
  view.setUint16(pos + 8, RECORD_MAGIC, true);
  view.setUint8(pos + 10, RECORD_VERSION);
  view.setUint8(pos + 11, 0);
  view.setUint32(pos + 12, msg.flags >>> 0, true);
  view.setUint32(pos + 16, msg.queueId, true);
  writeU64(view, pos + 20, placement.queueOffset);
  writeU64(view, pos + 28, placement.physicalOffset);
  writeU64(view, pos + 36, msg.bornTimestamp);
  writeU64(view, pos + 44, placement.storeTimestamp);
  writeU64(view, pos + 52, placement.tagHash);
  let at = pos + RECORD_FIXED_BYTES;
  at = writeString16(buf, view, at, msg.topic);
  at = writeString16(buf, view, at, msg.messageId);
  at = writeString16(buf, view, at, msg.tag);
  view.setUint16(at, msg.keys.length, true);
  at += 2;
  for (const key of msg.keys) at = writeString16(buf, view, at, key);
  const propsLengthAt = at;
  at += 4;
  for (const key in msg.properties) {
    at = writeString16(buf, view, at, key);
    at = writeString16(buf, view, at, msg.properties[key] as string);
  }
  view.setUint32(propsLengthAt, at - propsLengthAt - 4, true);
  view.setUint32(at, msg.body.byteLength, true);
  at += 4;
  buf.set(msg.body, at);
  at += msg.body.byteLength;
  if (at - pos !== size) throw new Error(`record size mismatch: computed ${size}, wrote ${at - pos}`);
  view.setUint32(pos + 4, recordCrc(buf, pos, size), true);
}

export function recordCrc(buf: Buffer, pos: number, size: number): number {
  return crc32(buf.subarray(pos + 8, pos + size));
}

/**
 * Decodes the record at `pos`. The body is a view into `buf` (no copy). Validates length, magic, version and CRC;
 * `expectedOffset`, when given, must equal the stored physical offset.
 */
export function decodeRecord(buf: Buffer, pos: number, expectedOffset?: bigint): DecodeResult {
  if (pos + 4 > buf.length)
    return pos === buf.length ? { kind: 'end' } : { kind: 'incomplete', size: RECORD_MIN_BYTES };
  const size = buf.readUInt32LE(pos);
  if (size === 0) return { kind: 'end' };
  if (size < RECORD_MIN_BYTES) return { kind: 'corrupt', reason: `record length ${size} below minimum` };
  if (pos + 12 > buf.length) return { kind: 'incomplete', size };
  // Cheap header checks first: scanning for the next record after corruption probes every byte position.
  if (buf.readUInt16LE(pos + 8) !== RECORD_MAGIC) return { kind: 'corrupt', reason: 'bad magic' };
  if (buf[pos + 10] !== RECORD_VERSION) return { kind: 'corrupt', reason: `unknown record version ${buf[pos + 10]}` };
  if (pos + size > buf.length) return { kind: 'incomplete', size };
  if (buf.readUInt32LE(pos + 4) !== recordCrc(buf, pos, size)) return { kind: 'corrupt', reason: 'crc mismatch' };
  const physicalOffset = buf.readBigUInt64LE(pos + 28);
  if (expectedOffset !== undefined && physicalOffset !== expectedOffset) {
    return { kind: 'corrupt', reason: `record claims offset ${physicalOffset}` };
  }
  try {
    return { kind: 'record', message: decodeFields(buf, pos, size, physicalOffset) };
  } catch (err) {
    // A CRC-valid record with inconsistent lengths can only come from a bug in the writer; report, never crash.
    return { kind: 'corrupt', reason: `malformed fields: ${(err as Error).message}` };
  }
}

function decodeFields(buf: Buffer, pos: number, size: number, physicalOffset: bigint): StoredMessage {
  const end = pos + size;
  const reader = { at: pos + RECORD_FIXED_BYTES };
  const topic = readString16(buf, reader, end);
  const messageId = readString16(buf, reader, end);
  const tag = readString16(buf, reader, end);
  const keyCount = readU16(buf, reader, end);
  const keys: string[] = [];
  for (let i = 0; i < keyCount; i++) keys.push(readString16(buf, reader, end));
  const propsLength = readU32(buf, reader, end);
  const propsEnd = reader.at + propsLength;
  if (propsEnd > end) throw new RangeError('properties overrun');
  const properties: Record<string, string> = {};
  while (reader.at < propsEnd) {
    const key = readString16(buf, reader, propsEnd);
    properties[key] = readString16(buf, reader, propsEnd);
  }
  const bodyLength = readU32(buf, reader, end);
  if (reader.at + bodyLength !== end) throw new RangeError('body length disagrees with record length');
  return {
    topic,
    queueId: buf.readUInt32LE(pos + 16),
    messageId,
    tag,
    keys,
    properties,
    body: buf.subarray(reader.at, end),
    bornTimestamp: Number(buf.readBigUInt64LE(pos + 36)),
    flags: buf.readUInt32LE(pos + 12),
    queueOffset: buf.readBigUInt64LE(pos + 20),
    physicalOffset,
    storeTimestamp: Number(buf.readBigUInt64LE(pos + 44)),
    tagHash: buf.readBigUInt64LE(pos + 52),
    size,
  };
}

/** Little-endian u64 from a non-negative safe integer. */
function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 0x1_0000_0000, true);
  view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}

function writeString16(buf: Buffer, view: DataView, at: number, value: string): number {
  const written = value.length === 0 ? 0 : buf.write(value, at + 2, 'utf8');
  view.setUint16(at, written, true);
  return at + 2 + written;
}

function readU16(buf: Buffer, reader: { at: number }, end: number): number {
  if (reader.at + 2 > end) throw new RangeError('u16 overrun');
  const value = buf.readUInt16LE(reader.at);
  reader.at += 2;
  return value;
}

function readU32(buf: Buffer, reader: { at: number }, end: number): number {
  if (reader.at + 4 > end) throw new RangeError('u32 overrun');
  const value = buf.readUInt32LE(reader.at);
  reader.at += 4;
  return value;
}

function readString16(buf: Buffer, reader: { at: number }, end: number): string {
  const length = readU16(buf, reader, end);
  if (reader.at + length > end) throw new RangeError('string overrun');
  const value = buf.toString('utf8', reader.at, reader.at + length);
  reader.at += length;
  return value;
}
