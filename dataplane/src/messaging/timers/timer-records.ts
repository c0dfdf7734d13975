import { Code, DataplaneError } from '../../lib/errors.js';
import type { MessageInput, StoredMessage } from '../../storage/record-codec.js';
import { SYSTEM_PROPERTY } from '../system-properties.js';

/**
 * Timers are messages on a system topic (STYLE.md §2): a DELAY message due later is stored in `__sys_timer` (queue 0)
 * with its real topic and queue in system properties, so the commit log stays the only truth and recovery and
 * retention have one code path. When due, a copy goes to the real topic. A recall appends a cancel record to the same
 * topic. Keys start with the control character the broker reserves for itself (system-properties.ts).
 */
export const SYS_TIMER_TOPIC = '__sys_timer';

export const TIMER_PROPERTY = {
  /** On a timer record: the topic and queue the message is delivered to. */
  topic: '\u0001timerTopic',
  queueId: '\u0001timerQueue',
  /** On a timer record moved ahead of retention: the commit-log offset of the timer's first record. */
  origin: '\u0001timerOrigin',
  /** On a cancel record: the origin of the timer it cancels. */
  cancels: '\u0001timerCancel',
} as const;

export type DelayDecision =
  /** The delivery time has come: store it in its topic now. */
  { kind: 'deliver-now' } | { kind: 'schedule' };

/**
 * Where a DELAY message goes: a delivery time in the past (or now) is delivered at once; one beyond `maxDelayMs` from
 * now is refused with ILLEGAL_DELIVERY_TIME, as the Apache proxy does (PROTOCOL.md §7.8).
 */
export function decideDelay(deliverAt: number, now: number, maxDelayMs: number): DelayDecision {
  if (!Number.isSafeInteger(deliverAt) || deliverAt < 0) {
    throw new DataplaneError(Code.ILLEGAL_DELIVERY_TIME, `illegal delivery timestamp ${deliverAt}`);
  }
  if (deliverAt - now > maxDelayMs) {
    throw new DataplaneError(
      Code.ILLEGAL_DELIVERY_TIME,
      `delivery time ${new Date(deliverAt).toISOString()} is more than ${maxDelayMs} ms ahead (the broker's maximum)`,
    );
  }
  return deliverAt <= now ? { kind: 'deliver-now' } : { kind: 'schedule' };
}

/** The DELAY message as stored now: in its topic when due, else as a timer record. Both carry the delivery time. */
export function delayedInput(input: MessageInput, deliverAt: number, decision: DelayDecision): MessageInput {
  // One copy with plain assignments: spreading into objects with computed keys costs several times more per send.
  const properties: Record<string, string> = {};
  for (const key in input.properties) properties[key] = input.properties[key] as string;
  properties[SYSTEM_PROPERTY.deliverAt] = String(deliverAt);
  if (decision.kind === 'deliver-now') return { ...input, properties };
  properties[TIMER_PROPERTY.topic] = input.topic;
  properties[TIMER_PROPERTY.queueId] = String(input.queueId);
  return { ...input, topic: SYS_TIMER_TOPIC, queueId: 0, properties };
}

/** What a record of `__sys_timer` says. */
export type TimerRecord =
  | {
      kind: 'scheduled';
      topic: string;
      queueId: number;
      deliverAt: number;
      origin: number;
      current: number;
      queueOffset: number;
      /** Bytes of the record (0 when unknown). */
      size: number;
    }
  | { kind: 'cancel'; origin: number; deliverAt: number }
  | { kind: 'unknown' };

export function readTimerRecord(m: StoredMessage): TimerRecord {
  return timerRecordOf(m.properties, Number(m.physicalOffset), Number(m.queueOffset), m.size);
}

/** What a `__sys_timer` record with these properties, stored at `physicalOffset` and `queueOffset`, says. */
export function timerRecordOf(
  p: Readonly<Record<string, string>>,
  physicalOffset: number,
  queueOffset: number,
  size: number,
): TimerRecord {
  const deliverAt = Number(p[SYSTEM_PROPERTY.deliverAt]);
  if (!Number.isSafeInteger(deliverAt)) return { kind: 'unknown' };
  const cancels = p[TIMER_PROPERTY.cancels];
  if (cancels !== undefined) {
    const origin = Number(cancels);
    return Number.isSafeInteger(origin) ? { kind: 'cancel', origin, deliverAt } : { kind: 'unknown' };
  }
  const topic = p[TIMER_PROPERTY.topic];
  if (topic === undefined) return { kind: 'unknown' };
  const origin = p[TIMER_PROPERTY.origin] === undefined ? physicalOffset : Number(p[TIMER_PROPERTY.origin]);
  return {
    kind: 'scheduled',
    topic,
    queueId: Number(p[TIMER_PROPERTY.queueId] ?? 0) || 0,
    deliverAt,
    origin,
    current: physicalOffset,
    queueOffset,
    size,
  };
}

/** The message as its real topic receives it when due: the same id, tag, keys, body and properties. */
export function firedInput(m: StoredMessage, queueId: number): MessageInput {
  const {
    [TIMER_PROPERTY.topic]: topic,
    [TIMER_PROPERTY.queueId]: _q,
    [TIMER_PROPERTY.origin]: _o,
    ...properties
  } = m.properties;
  return {
    topic: topic as string,
    queueId,
    messageId: m.messageId,
    tag: m.tag,
    keys: m.keys,
    properties,
    body: m.body,
    bornTimestamp: m.bornTimestamp,
    flags: m.flags,
  };
}

/** A copy of a pending timer's record further ahead in the log, keeping the timer's identity (its origin). */
export function movedInput(m: StoredMessage, origin: number): MessageInput {
  return {
    topic: SYS_TIMER_TOPIC,
    queueId: 0,
    messageId: m.messageId,
    tag: m.tag,
    keys: m.keys,
    properties: { ...m.properties, [TIMER_PROPERTY.origin]: String(origin) },
    body: m.body,
    bornTimestamp: m.bornTimestamp,
    flags: m.flags,
  };
}

/** The record that cancels a timer (a recall), durable in the commit log like the timer itself. */
export function cancelInput(messageId: string, origin: number, deliverAt: number, now: number): MessageInput {
  return {
    topic: SYS_TIMER_TOPIC,
    queueId: 0,
    messageId,
    tag: '',
    keys: [],
    properties: { [SYSTEM_PROPERTY.deliverAt]: String(deliverAt), [TIMER_PROPERTY.cancels]: String(origin) },
    body: new Uint8Array(0),
    bornTimestamp: now,
    flags: 0,
  };
}

/**
 * The recall handle of a send receipt: `1.<deliverAt base 36>.<origin base 36>`. It names the timer's bucket and
 * identity; nothing in it is secret (a handle only cancels a timer of the topic the recall names).
 */
export function encodeRecallHandle(deliverAt: number, origin: number): string {
  return `1.${deliverAt.toString(36)}.${origin.toString(36)}`;
}

export function decodeRecallHandle(handle: string): { deliverAt: number; origin: number } | undefined {
  const match = /^1\.([0-9a-z]{1,11})\.([0-9a-z]{1,11})$/.exec(handle);
  if (!match) return undefined;
  const deliverAt = Number.parseInt(match[1] as string, 36);
  const origin = Number.parseInt(match[2] as string, 36);
  if (!Number.isSafeInteger(deliverAt) || !Number.isSafeInteger(origin)) return undefined;
  return { deliverAt, origin };
}
