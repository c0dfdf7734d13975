import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Enum, Field, MapField, Type } from 'protobufjs';
import protobuf from 'protobufjs';
import type { Prng } from './prng.js';
import { mutateString, randomString } from './strings.js';

/** A request or response as protobufjs encodes it: snake_case fields, enums as numbers, int64 as decimal strings. */
export type ProtoObject = { [field: string]: unknown };

/**
 * The shipped protos (rocketmq-client-nodejs/proto) loaded with protobufjs, for encoding fuzzed requests byte-exactly
 * (unknown enum numbers, out-of-range integers) and decoding the broker's answers.
 */
export function loadRocketmqProtos(): protobuf.Root {
  const protoRoot = join(
    dirname(createRequire(import.meta.url).resolve('rocketmq-client-nodejs/package.json')),
    'proto',
  );
  const root = new protobuf.Root();
  // google/protobuf/*.proto come with protobufjs (its `common` definitions).
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(protoRoot, target));
  root.loadSync('apache/rocketmq/v2/service.proto', { keepCase: true });
  root.resolveAll();
  return root;
}

/** Domain-aware values for a field (a known topic, a real receipt handle); undefined leaves the choice to the fuzzer. */
export type Hint = (field: Field, parent: Type, rng: Prng) => unknown;

const INT32_EDGES = [0, 1, -1, 2, 7, 8, 16, 17, 32, 33, 1000, 1023, 1024, 1025, 65535, 65536, 2 ** 31 - 1, -(2 ** 31)];
const UINT32_EDGES = [0, 1, 2, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32 - 1];
const INT64_EDGES = [
  '0',
  '1',
  '-1',
  '2',
  '1000',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740992',
  '9223372036854775807',
  '-9223372036854775808',
];
const FLOAT_EDGES = [0, -0, 1, -1, 0.5, 1.5, 10, 11, Number.NaN, Infinity, -Infinity, 3.4e38, 1e308, 5e-324];
const DURATION_SECONDS = ['0', '1', '-1', '2', '3', '5', '30', '60', '3600', '43200', '43201', '86400', ...INT64_EDGES];
const NANOS = [
  0,
  1,
  -1,
  999_999,
  1_000_000,
  500_000_000,
  999_999_999,
  1_000_000_000,
  -999_999_999,
  2 ** 31 - 1,
  -(2 ** 31),
];

export function randomInt64(rng: Prng, unsigned: boolean): string {
  if (rng.chance(0.6)) return unsigned && rng.chance(0.2) ? '18446744073709551615' : rng.pick(INT64_EDGES);
  const bits = rng.int(1, 63);
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(rng.int(0, 0xffff));
  v &= (1n << BigInt(bits)) - 1n;
  return String(!unsigned && rng.chance(0.3) ? -v : v);
}

/** Random protobuf Duration or Timestamp: small, negative, enormous, unnormalized nanos. */
export function randomDuration(rng: Prng): ProtoObject {
  const d: ProtoObject = {};
  if (rng.chance(0.85)) d.seconds = rng.chance(0.7) ? rng.pick(DURATION_SECONDS) : randomInt64(rng, false);
  if (rng.chance(0.6)) d.nanos = rng.chance(0.7) ? rng.pick(NANOS) : rng.int(-(2 ** 31), 2 ** 31 - 1);
  return d;
}

const TIME_TYPES = new Set(['.google.protobuf.Duration', '.google.protobuf.Timestamp']);

/**
 * Random values of proto fields, generated from the reflection of the shipped protos. `hint` supplies plausible
 * domain values (known names, real receipt handles) for part of the fields, so requests get past the first check.
 */
export class ProtoFuzzer {
  constructor(private readonly hint: Hint) {}

  /** A whole random message of `type`. */
  message(rng: Prng, type: Type, depth = 0): ProtoObject {
    const out: ProtoObject = {};
    if (TIME_TYPES.has(type.fullName)) return randomDuration(rng);
    const presence = depth > 4 ? 0.25 : 0.65;
    for (const oneof of type.oneofsArray) {
      if (oneof.fieldsArray.length < 2) continue; // proto3 `optional`: treated as a plain field
      const n = rng.weighted([
        [2, 0],
        [8, 1],
        [1, 2],
      ]);
      for (let i = 0; i < n; i++) {
        const field = rng.pick(oneof.fieldsArray);
        out[field.name] = this.fieldValue(rng, field, type, depth);
      }
    }
    for (const field of type.fieldsArray) {
      if (field.partOf && field.partOf.fieldsArray.length > 1) continue;
      if (rng.chance(presence)) out[field.name] = this.fieldValue(rng, field, type, depth);
    }
    return out;
  }

  /** A value for one field: repeated fields get lists (sometimes long), maps get entries. */
  fieldValue(rng: Prng, field: Field, parent: Type, depth: number): unknown {
    if (field.map) {
      const map: Record<string, unknown> = {};
      const n = this.length(rng, depth);
      const value = this.single(rng, field, parent, depth);
      for (let i = 0; i < n; i++) map[this.mapKey(rng, field as unknown as MapField)] = value;
      return map;
    }
    if (field.repeated) {
      // Long lists repeat a few distinct elements: as hard on the server, far cheaper to generate.
      const distinct = Array.from({ length: Math.min(this.length(rng, depth), 3) }, () =>
        this.single(rng, field, parent, depth),
      );
      const length = distinct.length < 3 ? distinct.length : this.length(rng, depth) + 3;
      return Array.from({ length }, (_, i) => distinct[i % distinct.length]);
    }
    return this.single(rng, field, parent, depth);
  }

  /** One value of the field's type (an element, for repeated fields). */
  single(rng: Prng, field: Field, parent: Type, depth: number): unknown {
    if (rng.chance(0.6)) {
      const hinted = this.hint(field, parent, rng);
      if (hinted !== undefined) return hinted;
    }
    const resolved = field.resolvedType;
    if (resolved && 'fieldsArray' in resolved) return this.message(rng, resolved as Type, depth + 1);
    if (resolved) return enumValue(rng, resolved as Enum);
    return scalar(rng, field.type);
  }

  /**
   * A mutant of a (valid) message: each field is, with probability `rate`, dropped, replaced by a random value, or
   * changed in place; nested messages and list elements are mutated the same way.
   */
  mutate(rng: Prng, type: Type, obj: ProtoObject, rate: number, depth = 0): ProtoObject {
    if (TIME_TYPES.has(type.fullName)) return rng.chance(rate * 2) ? randomDuration(rng) : obj;
    const out: ProtoObject = { ...obj };
    for (const field of type.fieldsArray) {
      const present = out[field.name] !== undefined;
      if (!rng.chance(present ? rate : rate / 3)) {
        if (present) out[field.name] = this.mutateInside(rng, field, out[field.name], rate, depth);
        continue;
      }
      const op = rng.weighted([
        [3, 'drop'],
        [4, 'replace'],
        [3, 'tweak'],
      ] as const);
      if (op === 'drop' || !present) {
        if (op === 'drop') delete out[field.name];
        else out[field.name] = this.fieldValue(rng, field, type, depth);
      } else if (op === 'replace') out[field.name] = this.fieldValue(rng, field, type, depth);
      else out[field.name] = this.tweak(rng, field, type, out[field.name], depth);
    }
    return out;
  }

  private mutateInside(rng: Prng, field: Field, value: unknown, rate: number, depth: number): unknown {
    const resolved = field.resolvedType;
    if (!resolved || !('fieldsArray' in resolved) || field.map) return value;
    const type = resolved as Type;
    if (field.repeated) return (value as ProtoObject[]).map((v) => this.mutate(rng, type, v, rate, depth + 1));
    return this.mutate(rng, type, value as ProtoObject, rate, depth + 1);
  }

  /** Changes a present value a little: edit a string, nudge a number, grow or shrink a list. */
  private tweak(rng: Prng, field: Field, parent: Type, value: unknown, depth: number): unknown {
    if (field.repeated && Array.isArray(value)) {
      const list = [...value];
      return rng.weighted<() => unknown[]>([
        [2, () => list.slice(0, rng.int(0, list.length))],
        [2, () => [...list, ...list]],
        [1, () => [...list, this.single(rng, field, parent, depth)]],
        [0.3, () => new Array(rng.int(200, 2000)).fill(list[0] ?? this.single(rng, field, parent, depth))],
      ])();
    }
    if (typeof value === 'string') {
      if (field.type === 'int64' || field.type === 'uint64' || field.type === 'sint64') {
        return String(BigInt(value) + BigInt(rng.pick([-1, 1, -1000, 1000])));
      }
      return mutateString(rng, value);
    }
    if (typeof value === 'number') return value + rng.pick([-1, 1, -2, 2, 1000, -1000, 2 ** 31]);
    if (typeof value === 'boolean') return !value;
    return this.fieldValue(rng, field, parent, depth);
  }

  private length(rng: Prng, depth: number): number {
    return rng.weighted([
      [3, 0],
      [4, 1],
      [2, rng.int(2, 5)],
      [depth < 2 ? 0.2 : 0, rng.int(50, 300)],
      [depth < 1 ? 0.05 : 0, rng.int(1000, 3000)],
    ]);
  }

  private mapKey(rng: Prng, field: MapField): string {
    const key = scalar(rng, field.keyType);
    return String(key);
  }
}

function enumValue(rng: Prng, e: Enum): number {
  const known = Object.values(e.values);
  if (rng.chance(0.75)) return rng.pick(known);
  return rng.pick([-1, known.length, 99, 2 ** 31 - 1, -(2 ** 31), rng.int(0, 100_000)]);
}

function scalar(rng: Prng, type: string): unknown {
  switch (type) {
    case 'string':
      return randomString(rng);
    case 'bytes':
      return rng.bytes(
        rng.weighted([
          [5, rng.int(0, 64)],
          [1, rng.int(1000, 5000)],
        ]),
      );
    case 'bool':
      return rng.chance(0.5);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return rng.chance(0.7) ? rng.pick(INT32_EDGES) : rng.int(-(2 ** 31), 2 ** 31 - 1);
    case 'uint32':
    case 'fixed32':
      return rng.chance(0.7) ? rng.pick(UINT32_EDGES) : rng.int(0, 2 ** 32 - 1);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return randomInt64(rng, false);
    case 'uint64':
    case 'fixed64':
      return randomInt64(rng, true);
    case 'float':
    case 'double':
      return rng.chance(0.7) ? rng.pick(FLOAT_EDGES) : (rng.next() - 0.5) * 10 ** rng.int(0, 30);
    default:
      throw new Error(`no generator for proto type ${type}`);
  }
}
