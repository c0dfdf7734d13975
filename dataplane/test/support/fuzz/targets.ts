import type { Field, Type } from 'protobufjs';
import type { Prng } from './prng.js';
import { mutateString, randomString } from './strings.js';

export type TopicType = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION' | 'MIXED';

export interface TopicSpec {
  readonly name: string;
  readonly type: TopicType;
  readonly queues: number;
}

/** A delivery seen in a ReceiveMessage answer: what acks, nacks and dead-lettering need. */
export interface Delivery {
  readonly group: string;
  readonly topic: string;
  readonly receiptHandle: string;
  readonly messageId: string;
}

const MAX_REMEMBERED = 400;

/**
 * One broker under fuzz and what the fuzzer learned about it: the topics and groups that exist, and real receipt
 * handles and message ids taken from its answers, so mutants start from values the broker really produced.
 */
export class FuzzTarget {
  readonly deliveries: Delivery[] = [];
  readonly messageIds: string[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    readonly topics: readonly TopicSpec[],
    readonly groups: readonly string[],
    readonly fifoGroups: readonly string[],
  ) {}

  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  remember(delivery: Delivery): void {
    push(this.deliveries, delivery);
    push(this.messageIds, delivery.messageId);
  }

  rememberMessageId(id: string): void {
    if (id) push(this.messageIds, id);
  }

  topic(rng: Prng): TopicSpec {
    return rng.pick(this.topics);
  }

  group(rng: Prng, topic?: TopicSpec): string {
    if (topic?.type === 'FIFO' && rng.chance(0.7)) return rng.pick(this.fifoGroups);
    return rng.pick(rng.chance(0.85) ? this.groups : this.fifoGroups);
  }

  /** A name that exists here, one that may not (auto-create), or a mutant. */
  nameOf(rng: Prng, kind: 'topic' | 'group'): string {
    const known = kind === 'topic' ? this.topics.map((t) => t.name) : [...this.groups, ...this.fifoGroups];
    return rng.weighted<() => string>([
      [6, () => rng.pick(known)],
      [2, () => `fz-${kind}-${rng.int(0, 40)}`],
      [1, () => mutateString(rng, rng.pick(known))],
      [1, () => randomString(rng)],
    ])();
  }

  delivery(rng: Prng): Delivery | undefined {
    return this.deliveries.length === 0 ? undefined : rng.pick(this.deliveries);
  }

  /** A real receipt handle, a mutant of one (structural or textual), or garbage. */
  receiptHandle(rng: Prng): string {
    const real = this.delivery(rng)?.receiptHandle;
    if (!real) return randomString(rng);
    return rng.weighted<() => string>([
      [4, () => real],
      [3, () => mutateHandleBytes(rng, real)],
      [2, () => mutateString(rng, real)],
      [1, () => randomString(rng)],
    ])();
  }

  messageId(rng: Prng): string {
    return this.messageIds.length > 0 && rng.chance(0.8) ? rng.pick(this.messageIds) : randomString(rng);
  }

  /** Plausible values for well-known fields of any request, so generated requests reach the handlers' logic. */
  hint(field: Field, parent: Type, rng: Prng): unknown {
    switch (`${parent.name}.${field.name}`) {
      case 'Resource.name':
        return this.nameOf(rng, rng.chance(0.5) ? 'topic' : 'group');
      case 'Resource.resource_namespace':
        return rng.chance(0.9) ? '' : undefined;
      case 'Address.host':
        return '127.0.0.1';
      case 'Address.port':
        return this.port;
      case 'FilterExpression.expression':
        return rng.pick(FILTERS);
      case 'DeadLetterQueue.topic':
        return this.nameOf(rng, 'topic');
    }
    if (field.name === 'receipt_handle') return this.receiptHandle(rng);
    if (field.name === 'message_id') return this.messageId(rng);
    return undefined;
  }
}

/** Tag expressions, then SQL92 ones: ordinary ones, edge cases of the grammar, and the longest nesting that fits. */
export const TAG_FILTERS = ['*', '', 'A', 'A||B', 'A || B || C', '||', ' * ', '*||A', 'A||'.repeat(300)];
export const SQL_FILTERS = [
  "a = 'x'",
  'TAGS IS NOT NULL',
  "a IN ('x', 'y') AND b > 3",
  'a BETWEEN 1 AND 10',
  'NOT (a IS NULL)',
  "a <> 'b' OR c <= -1.5",
  'TRUE',
  '1 = 1',
  'a = 1e400',
  'a > -9223372036854775809',
  `${'('.repeat(500)}a = 1${')'.repeat(500)}`,
  `${'NOT '.repeat(250)}a = 1`,
  Array.from({ length: 100 }, (_, i) => `a = ${i}`).join(' OR '),
];
const FILTERS = [...TAG_FILTERS, ...SQL_FILTERS];

function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_REMEMBERED) list.splice(0, list.length - MAX_REMEMBERED);
}

/**
 * Changes what a real handle encodes (version, epoch, queue, offset, delivery counter) and re-encodes it, so the
 * broker sees a well-formed handle that names something else; or cuts or pads its bytes.
 */
function mutateHandleBytes(rng: Prng, handle: string): string {
  const buf = Buffer.from(handle, 'base64url');
  if (buf.length === 0) return handle;
  const at = rng.int(0, buf.length - 1);
  return rng
    .weighted<() => Buffer>([
      [3, () => withByte(buf, at, (buf[at] as number) ^ (1 << rng.int(0, 7)))],
      [1, () => withByte(buf, 0, rng.pick([0, 2, 255]))],
      [2, () => withBytes(buf, 7, rng.pick([Buffer.alloc(8, 0xff), Buffer.from('0020000000000000', 'hex')]))],
      [2, () => withBytes(buf, 5, Buffer.from([0xff, 0xff]))],
      [2, () => withBytes(buf, 15, rng.bytes(4))],
      [1, () => buf.subarray(0, at)],
      [1, () => Buffer.concat([buf, rng.bytes(rng.int(1, 4))])],
    ])()
    .toString(rng.chance(0.9) ? 'base64url' : 'base64');
}

function withByte(buf: Buffer, at: number, value: number): Buffer {
  const out = Buffer.from(buf);
  if (at < out.length) out[at] = value & 0xff;
  return out;
}

function withBytes(buf: Buffer, at: number, bytes: Buffer): Buffer {
  const out = Buffer.from(buf);
  bytes.copy(out, at);
  return out;
}
