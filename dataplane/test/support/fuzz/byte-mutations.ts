import type { Prng } from './prng.js';

/**
 * Byte-level mutants of an encoded protobuf message, for what a field-level generator never produces: flipped bits,
 * cut or padded buffers, absurd length prefixes, invalid wire types and tags, unknown fields.
 *
 * A protobuf field is `varint(field_number << 3 | wire_type)` then its payload; wire types 0 varint, 1 64-bit,
 * 2 length-delimited (`varint(length)` then bytes), 3/4 deprecated group start/end, 5 32-bit; 6 and 7 are invalid.
 */
export function mutateBytes(rng: Prng, input: Uint8Array): Buffer {
  let buf: Buffer = Buffer.from(input);
  const rounds = rng.weighted([
    [5, 1],
    [3, 2],
    [2, rng.int(3, 8)],
  ]);
  for (let i = 0; i < rounds; i++) buf = mutateOnce(rng, buf);
  return buf;
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12, 0x1a];

function mutateOnce(rng: Prng, buf: Buffer): Buffer {
  const at = rng.int(0, buf.length);
  const span = rng.int(1, Math.max(1, Math.min(32, buf.length)));
  return rng.weighted<() => Buffer>([
    [4, () => flipBits(rng, buf)],
    [2, () => setBytes(rng, buf)],
    [3, () => buf.subarray(0, at)],
    [2, () => Buffer.concat([buf, rng.bytes(rng.int(1, 64))])],
    [2, () => Buffer.concat([buf.subarray(0, at), rng.bytes(rng.int(1, 16)), buf.subarray(at)])],
    [2, () => Buffer.concat([buf.subarray(0, at), buf.subarray(at + span)])],
    [1, () => Buffer.concat([buf, buf.subarray(at, at + span)])],
    [1, () => Buffer.concat([buf, buf])],
    [1, () => rng.bytes(rng.int(0, 256))],
    [0.3, () => Buffer.alloc(0)],
    [2, () => Buffer.concat([buf.subarray(0, at), hugeVarint(rng), buf.subarray(at)])],
    [2, () => Buffer.concat([buf, badField(rng)])],
    [2, () => Buffer.concat([buf, unknownField(rng)])],
    [1, () => Buffer.concat([unknownField(rng), buf])],
  ])();
}

function flipBits(rng: Prng, buf: Buffer): Buffer {
  if (buf.length === 0) return buf;
  const out = Buffer.from(buf);
  const n = rng.int(1, 8);
  for (let i = 0; i < n; i++) {
    const at = rng.int(0, out.length - 1);
    out[at] = (out[at] as number) ^ (1 << rng.int(0, 7));
  }
  return out;
}

function setBytes(rng: Prng, buf: Buffer): Buffer {
  if (buf.length === 0) return buf;
  const out = Buffer.from(buf);
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) out[rng.int(0, out.length - 1)] = rng.pick(INTERESTING);
  return out;
}

function varint(value: bigint): Buffer {
  const bytes: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/** A varint that claims far more than the buffer holds (as a length) or overflows (ten bytes, or eleven). */
function hugeVarint(rng: Prng): Buffer {
  return rng.weighted<() => Buffer>([
    [2, () => varint(0xffff_ffffn)],
    [2, () => varint(0x7fff_ffffn)],
    [1, () => varint(-1n)],
    [1, () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
    [1, () => Buffer.from([0x80, 0x80, 0x80])],
  ])();
}

/** A field the decoder must refuse: invalid wire type, field number 0, an unterminated group, a cut payload. */
function badField(rng: Prng): Buffer {
  const field = BigInt(rng.int(1, 30));
  return rng.weighted<() => Buffer>([
    [2, () => Buffer.concat([varint((field << 3n) | 6n), rng.bytes(4)])],
    [2, () => Buffer.concat([varint((field << 3n) | 7n), rng.bytes(4)])],
    [2, () => Buffer.concat([varint(2n), rng.bytes(2)])],
    [2, () => varint((field << 3n) | 3n)],
    [2, () => varint((field << 3n) | 4n)],
    [2, () => Buffer.concat([varint((field << 3n) | 2n), varint(1000n), rng.bytes(3)])],
    [1, () => Buffer.concat([varint((field << 3n) | 1n), rng.bytes(3)])],
    [1, () => Buffer.concat([varint((field << 3n) | 0n)])],
  ])();
}

/** A well-formed field the schema does not have (or has with another type): decoders must skip or coerce it. */
function unknownField(rng: Prng): Buffer {
  const field = BigInt(
    rng.weighted([
      [3, rng.int(1, 30)],
      [1, rng.int(100, 536_870_911)],
    ]),
  );
  return rng.weighted<() => Buffer>([
    [2, () => Buffer.concat([varint(field << 3n), varint(BigInt(rng.u32()))])],
    [2, () => Buffer.concat([varint((field << 3n) | 2n), varint(8n), rng.bytes(8)])],
    [1, () => Buffer.concat([varint((field << 3n) | 5n), rng.bytes(4)])],
    [1, () => Buffer.concat([varint((field << 3n) | 1n), rng.bytes(8)])],
    [
      1,
      () =>
        Buffer.concat([varint((field << 3n) | 3n), varint((1n << 3n) | 0n), varint(5n), varint((field << 3n) | 4n)]),
    ],
  ])();
}
