import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { MessageFilter } from '../../filter/filter-expression.js';
import type { Clock } from '../../lib/clock.js';
import { Code, DataplaneError } from '../../lib/errors.js';
import type { MessageStore } from '../../storage/message-store.js';
import type { StoredMessage } from '../../storage/record-codec.js';
import type { GroupConfig } from '../groups.js';
import type { QueueOffsetStore } from '../queue-offsets.js';
import { SYSTEM_PROPERTY } from '../system-properties.js';
import type { TopicConfig } from '../topics.js';
import { Arrivals } from './arrivals.js';
import { ClientLiveness } from './client-liveness.js';
import { type DeadLetterDeps, DeadLetters } from './dead-letters.js';
import { PopJournal } from './pop-journal.js';
import { PopStates, type Subscription } from './pop-states.js';
import type { QueuePopState, Unacked } from './queue-pop-state.js';
import { decodeReceiptHandle, encodeReceiptHandle } from './receipt-handle.js';
import { isRetryTopic, retryTopicOf } from './retry-topics.js';

export interface ConsumptionDeps {
  readonly store: Pick<MessageStore, 'read' | 'queueOffsets' | 'onAppended' | 'onSegmentExpiring' | 'append'>;
  readonly topics: {
    resolve(name: string): Promise<TopicConfig>;
    get(name: string): TopicConfig | undefined;
    put(name: string, config: TopicConfig): Promise<TopicConfig>;
  };
  readonly groups: { resolve(name: string): Promise<GroupConfig> };
  readonly deadLetters: DeadLetters;
  readonly journal: PopJournal;
  readonly liveness: ClientLiveness;
  readonly clock: Clock;
  readonly log: Logger;
  readonly limits?: Partial<ConsumptionLimits>;
}

export interface ConsumptionLimits {
  /** Outstanding (delivered, not acked) entries per group and queue; receives take nothing new beyond it. */
  readonly maxUnackedPerQueue: number;
  /** Bytes of messages one receive returns (at least one message). */
  readonly maxReceiveBytes: number;
  /** Invisible time of push consumers' deliveries, renewed by the broker while the client lives. */
  readonly autoRenewMs: number;
  /** How often renewals run; a lease is renewed when less than twice this remains. */
  readonly renewEveryMs: number;
  /** Journal size that triggers a snapshot and a fresh journal. */
  readonly rotateBytes: number;
  /** Receives held at once on this broker; more are answered TOO_MANY_REQUESTS (push clients retry in 20 ms). */
  readonly maxPendingReceives: number;
}

const DEFAULT_LIMITS: ConsumptionLimits = {
  maxUnackedPerQueue: 50_000,
  maxReceiveBytes: 8 << 20,
  autoRenewMs: 30_000,
  renewEveryMs: 5_000,
  rotateBytes: 16 << 20,
  maxPendingReceives: 10_000,
};

/** How long a receive's answer is kept for a retry with the same attempt id, and how many answers are kept. */
const ATTEMPT_TTL_MS = 60_000;
const MAX_ATTEMPTS_KEPT = 10_000;

/** Entries of one queue a receive steps over through its filter before it moves on (or waits). */
const MAX_FILTERED_SCAN = 8192;

/** Long polls re-check for entries that became visible again this often (arrivals wake them at once). */
const RECHECK_MS = 500;

export interface ReceiveRequest {
  readonly group: string;
  readonly topic: string;
  readonly filter: MessageFilter;
  readonly batchSize: number;
  /** Invisible time of each delivery; ignored when `renewFor` is set. */
  readonly invisibleMs: number;
  /** Push consumers: the client whose deliveries the broker keeps invisible while it lives. */
  readonly renewFor?: string;
  /**
   * Idempotency key of a push consumer's poll (PROTOCOL.md §7.6): a client retries a failed poll with the same id, and
   * gets the same messages again, under the same handles, while they are still in flight.
   */
  readonly attemptId?: string;
  /** How long to hold the call when nothing is ready. */
  readonly pollMs: number;
  readonly signal?: AbortSignal;
}

export interface QueueLag {
  readonly topic: string;
  readonly queueId: number;
  readonly committedOffset: number;
  readonly maxOffset: number;
  readonly ready: number;
  readonly inflight: number;
  /** Null when nothing is ready. */
  readonly oldestReadyAgeMs: number | null;
  /** Since the message at the committed offset was stored; null when everything is consumed. */
  readonly oldestUnconsumedAgeMs: number | null;
}

export interface Delivered {
  readonly message: StoredMessage;
  readonly receiptHandle: string;
  readonly attempt: number;
  readonly invisibleMs: number;
}

/** A claimed entry on its way out: read it, then deliver it or dead-letter it. */
interface Claim {
  readonly offset: number;
  readonly entry: Unacked;
  readonly deadLetter: boolean;
}

/**
 * Pop consumption (message-level load balancing, DESIGN.md §3): a receive takes up to N messages of a topic for a
 * group from this broker's queues, hides each for its invisible time under a receipt handle, and an ack by handle
 * finishes it. Entries that are not acked in time come back with the next delivery attempt; past the group's
 * maximum they go to the group's dead-letter topic instead. Acks, delivery attempts and start positions are
 * journaled (PopStates), so a restart neither loses an outstanding message nor redelivers an acked one.
 */
export class Consumption implements QueueOffsetStore {
  readonly arrivals = new Arrivals();
  private readonly limits: ConsumptionLimits;
  /** Random per run: handles from an earlier run never match. */
  private readonly epoch = randomInt(1, 2 ** 32 - 1);
  private deliveries = 0;
  private readonly rotation = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private rotating: Promise<void> | undefined;
  private pendingReceives = 0;
  private readonly attempts = new Map<string, { delivered: Delivered[]; expires: number }>();
  private closed = false;

  private constructor(
    private readonly deps: ConsumptionDeps,
    readonly states: PopStates,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
    deps.store.onAppended((topic) => this.arrivals.notify(topic));
    deps.store.onSegmentExpiring((range) => this.rescueExpiring(range));
    const renew = setInterval(() => this.renewLeases(), this.limits.renewEveryMs);
    const rotate = setInterval(() => void this.maybeRotate(), 10_000);
    renew.unref();
    rotate.unref();
    this.timers.push(renew, rotate);
  }

  static async open(deps: ConsumptionDeps, replay: Parameters<PopStates['replay']>[0]): Promise<Consumption> {
    const states = new PopStates(deps.journal);
    states.replay(replay);
    const consumption = new Consumption(deps, states);
    await consumption.rotate();
    deps.log.info({ subscriptions: states.list().length, records: replay.records.length }, 'pop state recovered');
    return consumption;
  }

  /**
   * Makes sure the group consumes the topic, starting at the topic's current end on first sight (PROTOCOL.md §7.2:
   * what is sent after a consumer started is delivered). Durable before it resolves.
   */
  async subscribe(group: string, topic: string): Promise<Subscription> {
    const config = await this.deps.topics.resolve(topic);
    const { subscription, created } = this.states.getOrCreate(group, topic);
    let started = false;
    for (let queueId = 0; queueId < config.queues; queueId++) {
      if (subscription.queues.has(queueId)) continue;
      // A queue added to a known subscription later holds only messages sent after the group subscribed.
      const { min, max } = this.deps.store.queueOffsets(topic, queueId);
      this.states.journalReset(subscription, queueId, Number(created ? max : min));
      started = true;
    }
    if (started) await this.states.durable();
    return subscription;
  }

  /**
   * Long-polls until something is delivered, `pollMs` passes, or the signal aborts. TOO_MANY_REQUESTS when the broker
   * already holds its maximum of receives.
   */
  async receive(req: ReceiveRequest): Promise<Delivered[]> {
    const repeated = this.repeatedAttempt(req);
    if (repeated.length > 0) return repeated;
    if (this.pendingReceives >= this.limits.maxPendingReceives) {
      throw new DataplaneError(Code.TOO_MANY_REQUESTS, `this broker holds ${this.pendingReceives} receives already`);
    }
    this.pendingReceives++;
    try {
      const delivered = await this.poll(req);
      if (req.attemptId && req.renewFor && delivered.length > 0) this.rememberAttempt(req, delivered);
      return delivered;
    } finally {
      this.pendingReceives--;
    }
  }

  private async poll(req: ReceiveRequest): Promise<Delivered[]> {
    const deadline = this.deps.clock.now() + req.pollMs;
    const group = await this.deps.groups.resolve(req.group);
    for (;;) {
      const subscription = await this.subscribe(req.group, req.topic);
      const retry = this.states.get(req.group, retryTopicOf(req.group, req.topic));
      const delivered = retry ? await this.popOnce(retry, group, req) : [];
      if (delivered.length < req.batchSize) {
        delivered.push(
          ...(await this.popOnce(subscription, group, { ...req, batchSize: req.batchSize - delivered.length })),
        );
      }
      const left = deadline - this.deps.clock.now();
      if (delivered.length > 0 || left <= 0 || req.signal?.aborted || this.closed) return delivered;
      await this.arrivals.wait(req.topic, Math.min(left, RECHECK_MS), req.signal);
    }
  }

  /** What an earlier poll with this attempt id delivered and is still in flight under the same handles. */
  private repeatedAttempt(req: ReceiveRequest): Delivered[] {
    if (!req.attemptId || !req.renewFor) return [];
    const key = `${req.renewFor}\u0000${req.attemptId}`;
    const kept = this.attempts.get(key);
    if (!kept) return [];
    const now = this.deps.clock.now();
    if (kept.expires <= now) {
      this.attempts.delete(key);
      return [];
    }
    return kept.delivered.filter((d) => {
      try {
        this.outstanding(req.group, req.topic, d.receiptHandle);
        return true;
      } catch {
        return false;
      }
    });
  }

  private rememberAttempt(req: ReceiveRequest, delivered: Delivered[]): void {
    if (this.attempts.size >= MAX_ATTEMPTS_KEPT) {
      const now = this.deps.clock.now();
      for (const [key, kept] of this.attempts) if (kept.expires <= now) this.attempts.delete(key);
      if (this.attempts.size >= MAX_ATTEMPTS_KEPT) this.attempts.clear();
    }
    this.attempts.set(`${req.renewFor}\u0000${req.attemptId}`, {
      delivered,
      expires: this.deps.clock.now() + ATTEMPT_TTL_MS,
    });
  }

  /**
   * Finishes deliveries, with one durability wait for all of them. Each handle gets its own outcome: undefined, or
   * INVALID_RECEIPT_HANDLE for an unknown, superseded or expired one.
   */
  async ack(group: string, topic: string, receiptHandles: readonly string[]): Promise<(DataplaneError | undefined)[]> {
    const outcomes = receiptHandles.map((handle) => {
      try {
        const { subscription, queueId, offset } = this.outstanding(group, topic, handle);
        this.states.journalAck(subscription, queueId, offset);
        return undefined;
      } catch (err) {
        if (err instanceof DataplaneError) return err;
        throw err;
      }
    });
    if (outcomes.some((o) => o === undefined)) await this.states.durable();
    return outcomes;
  }

  /** Makes a delivery visible again after `ms` (0 = now: a nack); returns the handle that now names it. */
  changeInvisibleDuration(group: string, topic: string, receiptHandle: string, ms: number): string {
    const { subscription, queueId, offset, state, entry } = this.outstanding(group, topic, receiptHandle);
    entry.delivery = this.nextDelivery();
    delete entry.renewFor;
    state.setVisibleAt(entry, this.deps.clock.now() + ms);
    if (ms < RECHECK_MS) setTimeout(() => this.arrivals.notify(subscription.topic), ms).unref();
    return encodeReceiptHandle({
      epoch: this.epoch,
      queueId,
      offset,
      delivery: entry.delivery,
      retry: isRetryTopic(subscription.topic),
    });
  }

  /** A FIFO push consumer gave up on a message: dead-letter it now, which also finishes it. */
  async forwardToDeadLetter(group: string, topic: string, receiptHandle: string): Promise<void> {
    const { subscription, queueId, offset, entry } = this.outstanding(group, topic, receiptHandle);
    entry.delivery = this.nextDelivery(); // the handle is spent; a concurrent ack now fails
    delete entry.renewFor;
    await this.deadLetter(subscription, queueId, { offset, entry, deadLetter: true });
  }

  /** The group's committed offset in a queue (QueueOffsetStore): everything below it is consumed. */
  committedOffset(group: string, topic: string, queueId: number): bigint | undefined {
    const state = this.states.get(group, topic)?.queues.get(queueId);
    return state === undefined ? undefined : BigInt(state.committed);
  }

  /**
   * Moves the group's position in a queue (UpdateOffset, offset resets): consumption restarts there and whatever was
   * outstanding is forgotten. Durable before it resolves.
   */
  async commitOffset(group: string, topic: string, queueId: number, offset: bigint): Promise<void> {
    const { subscription } = this.states.getOrCreate(group, topic);
    this.states.journalReset(subscription, queueId, Number(offset));
    this.arrivals.notify(topic);
    await this.states.durable();
  }

  /**
   * Per topic and queue of the group: messages ready to deliver (never delivered, or due again), in flight (delivered,
   * invisible), and how long the oldest ready one has waited since it was stored.
   */
  async lag(group: string): Promise<QueueLag[]> {
    const now = this.deps.clock.now();
    const result: QueueLag[] = [];
    for (const s of this.states.ofGroup(group)) {
      for (const [queueId, state] of [...s.queues].sort(([a], [b]) => a - b)) {
        const max = Number(this.deps.store.queueOffsets(s.topic, queueId).max);
        const { inflight, due } = state.counts(now);
        const ready = Math.max(0, max - state.cursor) + due;
        let oldest: number | undefined;
        for (const [offset, entry] of state.unacked) {
          if (entry.visibleAt <= now) {
            oldest = offset;
            break;
          }
        }
        if (oldest === undefined && state.cursor < max) oldest = state.cursor;
        const [message] = oldest === undefined ? [] : (await this.readEntries(s.topic, queueId, oldest, 1, 1)).messages;
        const [unconsumed] =
          state.committed < max ? (await this.readEntries(s.topic, queueId, state.committed, 1, 1)).messages : [];
        result.push({
          topic: s.topic,
          queueId,
          committedOffset: state.committed,
          maxOffset: max,
          ready,
          inflight,
          oldestReadyAgeMs: message ? Math.max(0, now - message.storeTimestamp) : null,
          oldestUnconsumedAgeMs: unconsumed ? Math.max(0, now - unconsumed.storeTimestamp) : null,
        });
      }
    }
    return result;
  }

  /** Groups with any pop state on this broker. */
  groups(): string[] {
    return [...new Set(this.states.list().map((s) => s.group))].sort();
  }

  /** Every queue of the topic restarts at `offsetOf(queueId)` for the group (an offset reset). */
  async resetOffsets(
    group: string,
    topic: string,
    offsetOf: (queueId: number) => Promise<bigint>,
  ): Promise<{ queueId: number; offset: number }[]> {
    const config = await this.deps.topics.resolve(topic);
    const { subscription } = this.states.getOrCreate(group, topic);
    const offsets: { queueId: number; offset: number }[] = [];
    for (let queueId = 0; queueId < config.queues; queueId++) {
      const offset = Number(await offsetOf(queueId));
      this.states.journalReset(subscription, queueId, offset);
      offsets.push({ queueId, offset });
    }
    this.arrivals.notify(topic);
    await this.states.durable();
    return offsets;
  }

  /** The client left (NotifyClientTermination): what the broker renewed for it becomes visible again at once. */
  clientTerminated(clientId: string): void {
    const now = this.deps.clock.now();
    for (const s of this.states.list()) {
      let woke = false;
      for (const state of s.queues.values()) {
        for (const entry of state.unacked.values()) {
          if (entry.renewFor !== clientId) continue;
          delete entry.renewFor;
          state.setVisibleAt(entry, now);
          woke = true;
        }
      }
      if (woke) this.arrivals.notify(s.topic);
    }
  }

  /** Shutdown, first step: pending and future long polls answer at once. */
  endPolls(): void {
    this.closed = true;
    this.arrivals.notifyAll();
  }

  /** Shutdown, last step (after the server stopped): saves a snapshot and closes the journal. */
  async close(): Promise<void> {
    this.endPolls();
    for (const timer of this.timers) clearInterval(timer);
    await this.rotate();
    await this.deps.journal.close();
  }

  /** Saves a snapshot and starts a fresh journal. */
  rotate(): Promise<void> {
    this.rotating ??= this.deps.journal.rotate(this.states.snapshot()).finally(() => {
      this.rotating = undefined;
    });
    return this.rotating;
  }

  private async maybeRotate(): Promise<void> {
    if (this.deps.journal.size < this.limits.rotateBytes) return;
    await this.rotate().catch((err: unknown) => this.deps.log.error({ err }, 'pop state snapshot failed'));
  }

  private nextDelivery(): number {
    this.deliveries = this.deliveries >= 0xffffffff ? 1 : this.deliveries + 1;
    return this.deliveries;
  }

  private outstanding(group: string, topic: string, receiptHandle: string) {
    const handle = decodeReceiptHandle(receiptHandle);
    const subscription = this.states.get(group, handle.retry ? retryTopicOf(group, topic) : topic);
    const state = subscription?.queues.get(handle.queueId);
    const entry = state?.unacked.get(handle.offset);
    if (!subscription || !state || !entry || handle.epoch !== this.epoch || entry.delivery !== handle.delivery) {
      throw new DataplaneError(
        Code.INVALID_RECEIPT_HANDLE,
        'receipt handle is not current: the message was acked, redelivered, or delivered before a broker restart',
      );
    }
    if (entry.visibleAt <= this.deps.clock.now()) {
      throw new DataplaneError(Code.INVALID_RECEIPT_HANDLE, 'receipt handle expired: the invisible time is over');
    }
    return { subscription, queueId: handle.queueId, offset: handle.offset, state, entry };
  }

  /** One pass over the topic's queues, starting one further each time so queues share the load. */
  private async popOnce(s: Subscription, group: GroupConfig, req: ReceiveRequest): Promise<Delivered[]> {
    const queueIds = [...s.queues.keys()];
    const key = `${s.group}\u0000${s.topic}`;
    const start = (this.rotation.get(key) ?? 0) % Math.max(1, queueIds.length);
    this.rotation.set(key, start + 1);
    const delivered: Delivered[] = [];
    let bytes = 0;
    for (let i = 0; i < queueIds.length && delivered.length < req.batchSize; i++) {
      const queueId = queueIds[(start + i) % queueIds.length] as number;
      const state = s.queues.get(queueId) as QueuePopState;
      const budget = { count: req.batchSize - delivered.length, bytes: this.limits.maxReceiveBytes - bytes };
      if (budget.bytes <= 0) break;
      // A stretch the filter rejects is stepped through here, not one batch per long-poll wake-up.
      for (let scanned = 0; scanned < MAX_FILTERED_SCAN; ) {
        const cursor = state.cursor;
        const got = await this.popQueue(s, queueId, state, group, req, budget);
        for (const d of got) {
          delivered.push(d);
          bytes += d.message.body.length;
        }
        if (got.length > 0 || state.cursor === cursor) break;
        scanned += state.cursor - cursor;
      }
    }
    return delivered;
  }

  private async popQueue(
    s: Subscription,
    queueId: number,
    state: QueuePopState,
    group: GroupConfig,
    req: ReceiveRequest,
    budget: { count: number; bytes: number },
  ): Promise<Delivered[]> {
    const now = this.deps.clock.now();
    const invisibleMs = req.renewFor !== undefined ? this.limits.autoRenewMs : req.invisibleMs;
    // Claims are taken synchronously, so concurrent receives never share an entry.
    const claims: Claim[] = state.due(now, budget.count).map(([offset, entry]) => {
      entry.delivery = this.nextDelivery();
      state.setVisibleAt(entry, now + invisibleMs);
      return { offset, entry, deadLetter: entry.attempt + 1 > group.maxDeliveryAttempts };
    });
    const { min, max } = this.deps.store.queueOffsets(s.topic, queueId);
    if (state.cursor < Number(min)) state.dropBelow(Number(min));
    const fresh = state.claimNew(budget.count - claims.length, Number(max), this.limits.maxUnackedPerQueue);
    const delivered: Delivered[] = [];
    const release = (claim: Claim) => {
      claim.entry.delivery = 0;
      state.setVisibleAt(claim.entry, now);
    };
    try {
      for (const claim of claims) {
        if (claim.deadLetter) {
          await this.deadLetter(s, queueId, claim);
          continue;
        }
        const { messages } = await this.readEntries(s.topic, queueId, claim.offset, 1, budget.bytes, req.filter);
        this.deliverOrSkip(s, queueId, state, claim, messages[0], req, invisibleMs, delivered);
      }
      if (fresh.count > 0) {
        const read = await this.readEntries(s.topic, queueId, fresh.first, fresh.count, budget.bytes, req.filter);
        const byOffset = new Map(read.messages.map((m) => [Number(m.queueOffset), m]));
        const readUpTo = read.nextOffset;
        for (let offset = fresh.first; offset < fresh.first + fresh.count; offset++) {
          const entry = state.unacked.get(offset);
          if (!entry) continue;
          const claim = { offset, entry, deadLetter: false };
          if (offset >= readUpTo)
            release(claim); // over the byte budget: stays for the next receive
          else {
            entry.delivery = this.nextDelivery();
            this.deliverOrSkip(s, queueId, state, claim, byOffset.get(offset), req, invisibleMs, delivered);
          }
        }
      }
    } catch (err) {
      for (const entry of state.unacked.values())
        if (entry.visibleAt === Number.POSITIVE_INFINITY) entry.visibleAt = now;
      state.recheckDue();
      throw err;
    }
    return delivered;
  }

  private deliverOrSkip(
    s: Subscription,
    queueId: number,
    state: QueuePopState,
    claim: Claim,
    message: StoredMessage | undefined,
    req: ReceiveRequest,
    invisibleMs: number,
    out: Delivered[],
  ): void {
    // A hole, an expired record or a message the filter rejects counts as consumed for this group (PROTOCOL §7.11).
    if (!message || !req.filter.matches(message)) {
      state.ack(claim.offset);
      return;
    }
    const { entry } = claim;
    entry.attempt++;
    state.setVisibleAt(entry, this.deps.clock.now() + invisibleMs);
    if (req.renewFor !== undefined) entry.renewFor = req.renewFor;
    else delete entry.renewFor;
    if (entry.attempt > 1) this.states.journalAttempt(s, queueId, claim.offset, entry.attempt);
    out.push({
      message,
      receiptHandle: encodeReceiptHandle({
        epoch: this.epoch,
        queueId,
        offset: claim.offset,
        delivery: entry.delivery,
        retry: isRetryTopic(s.topic),
      }),
      attempt: entry.attempt,
      invisibleMs,
    });
  }

  /**
   * Messages of `count` entries from `first`, within `maxBytes` (at least one), and the offset after the last entry
   * read: entries before it that yield no message are holes, expired, or filtered out by tag hash.
   */
  private async readEntries(
    topic: string,
    queueId: number,
    first: number,
    count: number,
    maxBytes: number,
    filter?: MessageFilter,
  ): Promise<{ messages: StoredMessage[]; nextOffset: number }> {
    const result = await this.deps.store.read(topic, queueId, BigInt(first), {
      maxCount: count,
      maxBytes: Math.max(1, maxBytes),
      ...(filter?.tagHashes && { tagHashes: filter.tagHashes }),
    });
    if (result.kind === 'offset-out-of-range') return { messages: [], nextOffset: first + count };
    const end = Math.min(Number(result.nextOffset), first + count);
    return {
      messages: result.kind === 'found' ? result.messages.filter((m) => Number(m.queueOffset) < end) : [],
      nextOffset: end,
    };
  }

  private async deadLetter(s: Subscription, queueId: number, claim: Claim): Promise<void> {
    const [message] = (await this.readEntries(s.topic, queueId, claim.offset, 1, this.limits.maxReceiveBytes)).messages;
    if (message) await this.deps.deadLetters.send(s.group, message);
    this.states.journalAck(s, queueId, claim.offset);
    await this.states.durable();
    this.deps.log.info(
      { group: s.group, topic: s.topic, queueId, offset: claim.offset, attempts: claim.entry.attempt },
      'message dead-lettered',
    );
  }

  /**
   * Retention is about to delete `range` of the commit log: every outstanding (delivered, unacked) message stored
   * there is copied to its group's retry topic and finished here, so it is delivered again from the copy rather than
   * lost. The copy starts a new count of delivery attempts; a holder of the old handle gets INVALID_RECEIPT_HANDLE.
   */
  private async rescueExpiring(range: { start: bigint; end: bigint }): Promise<void> {
    let rescued = 0;
    for (const s of this.states.list()) {
      for (const [queueId, state] of s.queues) {
        for (const offset of [...state.unacked.keys()]) {
          const [message] = (await this.readEntries(s.topic, queueId, offset, 1, this.limits.maxReceiveBytes)).messages;
          if (!message || message.physicalOffset >= range.end || !state.unacked.has(offset)) continue;
          const origin = message.properties[SYSTEM_PROPERTY.retryOf] ?? s.topic;
          const retryTopic = retryTopicOf(s.group, origin);
          if (!this.deps.topics.get(retryTopic))
            await this.deps.topics.put(retryTopic, { messageType: 'MIXED', queues: 1 });
          const retry = this.states.getOrCreate(s.group, retryTopic);
          if (retry.created) {
            this.states.journalReset(retry.subscription, 0, Number(this.deps.store.queueOffsets(retryTopic, 0).max));
          }
          await this.deps.store.append({
            topic: retryTopic,
            queueId: 0,
            messageId: message.messageId,
            tag: message.tag,
            keys: message.keys,
            properties: { ...message.properties, [SYSTEM_PROPERTY.retryOf]: origin },
            body: message.body,
            bornTimestamp: message.bornTimestamp,
            flags: message.flags,
          });
          this.states.journalAck(s, queueId, offset);
          this.arrivals.notify(origin);
          rescued++;
        }
      }
    }
    if (rescued === 0) return;
    await this.states.durable();
    this.deps.log.info(
      { rescued, before: String(range.end) },
      'unacked messages copied to retry topics ahead of retention',
    );
  }

  /** Push consumers' leases: extended while their client lives; once it is gone they run out and the entries return. */
  private renewLeases(): void {
    const now = this.deps.clock.now();
    for (const s of this.states.list()) {
      for (const state of s.queues.values()) {
        for (const entry of state.unacked.values()) {
          const client = entry.renewFor;
          if (client === undefined || entry.visibleAt - now > 2 * this.limits.renewEveryMs) continue;
          if (this.deps.liveness.alive(client)) state.setVisibleAt(entry, now + this.limits.autoRenewMs);
          else delete entry.renewFor;
        }
      }
    }
  }
}

export interface OpenConsumptionOptions extends Omit<ConsumptionDeps, 'journal' | 'deadLetters' | 'liveness'> {
  readonly store: ConsumptionDeps['store'] &
    DeadLetterDeps['store'] & { readonly config: { readonly dataDir: string; readonly flush: string } };
  readonly topics: ConsumptionDeps['topics'] & DeadLetterDeps['topics'];
  readonly onDeadLetter?: DeadLetterDeps['onDeadLetter'];
  /** How long a client counts as alive after it was last seen (default 30 s). */
  readonly clientGraceMs?: number;
}

/** Opens the pop state in `<data dir>/pop` (replaying what the last run journaled) with its collaborators. */
export async function openConsumption(
  options: OpenConsumptionOptions,
): Promise<{ consumption: Consumption; liveness: ClientLiveness }> {
  const { store, topics, log } = options;
  const { journal, replay } = await PopJournal.open(store.config.dataDir, store.config.flush === 'sync', log);
  const liveness = new ClientLiveness(options.clock, options.clientGraceMs ?? 30_000);
  const deadLetters = new DeadLetters({
    store,
    topics,
    ...(options.onDeadLetter && { onDeadLetter: options.onDeadLetter }),
  });
  const consumption = await Consumption.open({ ...options, journal, liveness, deadLetters }, replay);
  return { consumption, liveness };
}
