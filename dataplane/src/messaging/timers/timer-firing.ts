import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.js';
import { validateMessage } from '../../storage/message-limits.js';
import type { MessageStore } from '../../storage/message-store.js';
import type { MessageInput } from '../../storage/record-codec.js';
import type { TopicConfig } from '../topics.js';
import type { BucketFiles } from './bucket-files.js';
import type { PendingCounts } from './pending-counts.js';
import { firedInput, TIMER_PROPERTY } from './timer-records.js';
import type { TimerMetrics } from './timer-service.js';
import type { LiveTimer, TimerWindow } from './timer-window.js';

export interface FiringDeps {
  readonly store: Pick<MessageStore, 'readAt' | 'appendAll' | 'config'>;
  readonly topics: { get(name: string): TopicConfig | undefined };
  readonly clock: Clock;
  readonly log: Logger;
  readonly window: TimerWindow;
  readonly files: BucketFiles;
  readonly counts: PendingCounts;
  readonly topicName: (topicId: number) => string | undefined;
  /** Timers that must not fire (recalled, cancel record not indexed yet). */
  readonly skip: (t: LiveTimer) => boolean;
  readonly metrics?: TimerMetrics;
}

/** `full`: a whole batch fired, more may be due; `failed`: the store refused the copies, they stay pending. */
export type FireOutcome = 'idle' | 'fired' | 'full' | 'failed';

/**
 * Fires up to `max` due timers: reads their records, stores the copies in their real topics in one append (one
 * durability wait), then marks them fired in their bucket files. A timer whose record or topic is gone, or whose copy
 * the store would refuse, is dropped with an error log rather than retried forever.
 */
export async function fireTimers(deps: FiringDeps, max: number): Promise<FireOutcome> {
  const { window, store, log } = deps;
  const due = window.takeDue(deps.clock.now(), max, deps.skip);
  if (due.length === 0) return 'idle';
  const records = await Promise.all(due.map((t) => store.readAt(BigInt(t.current), t.size || undefined)));
  const inputs: MessageInput[] = [];
  const firing: LiveTimer[] = [];
  const dropped: LiveTimer[] = [];
  due.forEach((timer, i) => {
    const record = records[i];
    const topic = record?.properties[TIMER_PROPERTY.topic];
    const config = topic === undefined ? undefined : deps.topics.get(topic);
    if (!record || !config) {
      log.error(
        { origin: timer.origin, record: timer.current, topic: topic ?? deps.topicName(timer.topicId) },
        record ? 'timer dropped: its topic no longer exists' : 'timer dropped: its record is missing',
      );
      dropped.push(timer);
      return;
    }
    const queueId = Number(record.properties[TIMER_PROPERTY.queueId] ?? 0);
    const input = firedInput(record, queueId < config.queues ? queueId : 0);
    try {
      validateMessage(input, store.config.limits);
    } catch (err) {
      log.error({ err, origin: timer.origin, topic }, 'timer dropped: its message cannot be stored');
      dropped.push(timer);
      return;
    }
    inputs.push(input);
    firing.push(timer);
  });
  try {
    if (inputs.length > 0) await store.appendAll(inputs);
  } catch (err) {
    log.warn({ err, timers: firing.length }, 'due timers not stored; retrying');
    for (const t of firing) window.settle(t, 'pending');
    finish(deps, dropped);
    return 'failed';
  }
  finish(deps, [...firing, ...dropped]);
  if (deps.metrics) report(deps, firing);
  return due.length === max ? 'full' : 'fired';
}

function finish(deps: FiringDeps, timers: readonly LiveTimer[]): void {
  for (const t of timers) {
    deps.window.settle(t, 'fired');
    deps.counts.add(t.topicId, t.bucket, -1);
    deps.files.append(t.bucket, {
      kind: 'fired',
      topicId: t.topicId,
      deliverAt: t.deliverAt,
      origin: t.origin,
      current: t.current,
      queueOffset: 0,
      size: 0,
    });
  }
  // Written at once (page cache): a kill now repeats none of these; only a power loss can, before the next sync.
  deps.files.flush().catch((err: unknown) => deps.log.error({ err }, 'timer bucket write failed'));
}

function report(deps: FiringDeps, fired: readonly LiveTimer[]): void {
  const now = deps.clock.now();
  let topicId = -1;
  let lateness: number[] = [];
  const flush = () => {
    const topic = deps.topicName(topicId);
    if (lateness.length > 0 && topic !== undefined) deps.metrics?.recordFired(topic, lateness);
  };
  for (const t of fired) {
    if (t.topicId !== topicId) {
      flush();
      topicId = t.topicId;
      lateness = [];
    }
    lateness.push(Math.max(0, now - t.deliverAt));
  }
  flush();
}
