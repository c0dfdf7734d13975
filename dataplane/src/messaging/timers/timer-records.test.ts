import { describe, expect, it } from 'vitest';
import { Code } from '../../lib/errors.js';
import type { MessageInput, StoredMessage } from '../../storage/record-codec.js';
import { SYSTEM_PROPERTY } from '../system-properties.js';
import {
  cancelInput,
  decideDelay,
  decodeRecallHandle,
  delayedInput,
  encodeRecallHandle,
  firedInput,
  movedInput,
  readTimerRecord,
  SYS_TIMER_TOPIC,
} from './timer-records.js';

const input: MessageInput = {
  topic: 'orders-delay',
  queueId: 3,
  messageId: '01ABC',
  tag: 'T',
  keys: ['k1', 'k2'],
  properties: { a: '1' },
  body: Buffer.from('body'),
  bornTimestamp: 1000,
  flags: 3,
};

const stored = (m: MessageInput, physicalOffset: bigint, queueOffset = 0n): StoredMessage => ({
  ...m,
  body: Buffer.from(m.body),
  physicalOffset,
  queueOffset,
  storeTimestamp: 2000,
  tagHash: 0n,
  size: 100,
});

describe('decideDelay', () => {
  it('delivers a time in the past now', () => {
    expect(decideDelay(999, 1000, 10_000)).toEqual({ kind: 'deliver-now' });
  });

  it('schedules a time in the future', () => {
    expect(decideDelay(1001, 1000, 10_000)).toEqual({ kind: 'schedule' });
  });

  it('refuses a time beyond the maximum delay with ILLEGAL_DELIVERY_TIME', () => {
    expect(() => decideDelay(11_001, 1000, 10_000)).toThrow(
      expect.objectContaining({ code: Code.ILLEGAL_DELIVERY_TIME }),
    );
  });

  it('accepts exactly the maximum delay', () => {
    expect(decideDelay(11_000, 1000, 10_000)).toEqual({ kind: 'schedule' });
  });
});

describe('timer records', () => {
  it('stores a scheduled message in the timer topic and reads its real topic back', () => {
    const timer = delayedInput(input, 5000, { kind: 'schedule' });
    expect(timer.topic).toBe(SYS_TIMER_TOPIC);
    expect(readTimerRecord(stored(timer, 4096n, 7n))).toEqual({
      kind: 'scheduled',
      topic: 'orders-delay',
      queueId: 3,
      deliverAt: 5000,
      origin: 4096,
      current: 4096,
      queueOffset: 7,
      size: 100,
    });
  });

  it('keeps a due message in its topic with the delivery time', () => {
    const now = delayedInput(input, 5000, { kind: 'deliver-now' });
    expect(now.topic).toBe('orders-delay');
    expect(now.properties[SYSTEM_PROPERTY.deliverAt]).toBe('5000');
  });

  it('fires a copy with the same id, tag, keys, body, properties and delivery time', () => {
    const fired = firedInput(stored(delayedInput(input, 5000, { kind: 'schedule' }), 4096n), 1);
    expect(fired).toEqual({
      ...input,
      queueId: 1,
      properties: { a: '1', [SYSTEM_PROPERTY.deliverAt]: '5000' },
      body: Buffer.from('body'),
    });
  });

  it('keeps the origin of a timer moved ahead of retention', () => {
    const timer = stored(delayedInput(input, 5000, { kind: 'schedule' }), 4096n);
    const moved = readTimerRecord(stored(movedInput(timer, 4096), 9_000_000n, 9n));
    expect(moved).toMatchObject({ kind: 'scheduled', origin: 4096, current: 9_000_000 });
    expect(firedInput(stored(movedInput(timer, 4096), 9_000_000n), 0).properties).toEqual({
      a: '1',
      [SYSTEM_PROPERTY.deliverAt]: '5000',
    });
  });

  it('reads a cancel record', () => {
    expect(readTimerRecord(stored(cancelInput('01ABC', 4096, 5000, 1), 8192n))).toEqual({
      kind: 'cancel',
      origin: 4096,
      deliverAt: 5000,
    });
  });
});

describe('recall handles', () => {
  it('round-trips', () => {
    const handle = encodeRecallHandle(1_767_225_600_123, 2 ** 40 + 3);
    expect(decodeRecallHandle(handle)).toEqual({ deliverAt: 1_767_225_600_123, origin: 2 ** 40 + 3 });
  });

  it('refuses garbage', () => {
    for (const bad of ['', 'x', '1.', '1.abc', '2.a.b', '1.A.b', '1.a.b.c', `1.${'z'.repeat(12)}.1`]) {
      expect(decodeRecallHandle(bad)).toBeUndefined();
    }
  });
});
