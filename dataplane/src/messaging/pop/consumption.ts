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
import type { ClientLiveness } from './client-liveness.js';
import { lagOf, type QueueLag } from './consumer-lag.js';
import type { DeadLetters } from './dead-letters.js';
import { releaseLeases, renewLeases } from './leases.js';
import type { PopJournal } from './pop-journal.js';
import { PopStates, type Subscription } from './pop-states.js';
import type { QueuePopState, Unacked } from './queue-pop-state.js';
import { readEntries, readOne } from './queue-reader.js';
import { decodeReceiptHandle, encodeReceiptHandle } from './receipt-handle.js';
import { ReceiveAttempts } from './receive-attempts.js';
import { rescueExpiring } from './retention-rescue.js';
import { isRetryTopic, retryTopicOf } from './retry-topics.js';

export type { QueueLag } from './consumer-lag.js';

/** The message group a FIFO group orders by; '' for a message without one (it never waits). */
const groupOf = (message: StoredMessage): string => message.properties[SYSTEM_PROPERTY.messageGroup] ?? '';

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

/** Entries claimed per step while a filter rejects most of them (records of other tags are skipped unread). */
const FILTER_SCAN_CHUNK = 256;

/** Entries of one queue a receive steps over through its filter before it moves on (or waits). */
const MAX_FILTERED_SCAN = 8192;

/** Long polls re-check for entries that became visible again this often (arrivals wake them at once). */
const RECHECK_MS = 500;

/**
 * FIFO consumption reads at most this many entries ahead of the oldest outstanding one per queue: held entries
 * (waiting behind their group's in-flight message) are bounded, and groups further out wait their turn.
 */
const FIFO_MAX_OUTSTANDING = 8192;

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
  private readonly attempts = new ReceiveAttempts<Delivered>();
  /** FIFO pops of one queue run one at a time: what is held and what is delivered is decided in offset order. */
  private readonly fifoTurns = new WeakMap<QueuePopState, Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly deps: ConsumptionDeps,
    readonly states: PopStates,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
    deps.store.onAppended((topic) => this.arrivals.notify(topic));
    deps.store.onSegmentExpiring((range) =>
      rescueExpiring(
        {
          states,
          store: deps.store,
          topics: deps.topics,
          notify: (topic) => this.arrivals.notify(topic),
          maxMessageBytes: this.limits.maxReceiveBytes,
          log: deps.log,
        },
        range,
      ),
    );
    const renew = setInterval(
      () => renewLeases(states, deps.liveness, deps.clock.now(), this.limits),
      this.limits.renewEveryMs,
    );
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
    const now = this.deps.clock.now();
    const repeated =
      req.attemptId && req.renewFor
        ? this.attempts.repeated(req.renewFor, req.attemptId, now, (d) => this.isCurrent(req, d.receiptHandle))
        : [];
    if (repeated.length > 0) return repeated;
    if (this.pendingReceives >= this.limits.maxPendingReceives) {
      throw new DataplaneError(Code.TOO_MANY_REQUESTS, `this broker holds ${this.pendingReceives} receives already`);
    }
    this.pendingReceives++;
    try {
      const delivered = await this.poll(req);
      if (req.attemptId && req.renewFor && delivered.length > 0) {
        this.attempts.remember(req.renewFor, req.attemptId, this.deps.clock.now(), delivered);
      }
      return delivered;
    } finally {
      this.pendingReceives--;
    }
  }

  private async poll(req: ReceiveRequest): Promise<Delivered[]> {
    const deadline = this.deps.clock.now() + req.pollMs;
    // Stepping over filtered entries stops when the poll is over: the answer always arrives in time.
    const timeIsUp = () => req.signal?.aborted === true || this.closed || this.deps.clock.now() >= deadline;
    const group = await this.deps.groups.resolve(req.group);
    for (;;) {
      const subscription = await this.subscribe(req.group, req.topic);
      const retry = this.states.get(req.group, retryTopicOf(req.group, req.topic));
      const delivered = retry ? await this.popOnce(retry, group, req, timeIsUp) : [];
      if (delivered.length < req.batchSize) {
        const rest = { ...req, batchSize: req.batchSize - delivered.length };
        delivered.push(...(await this.popOnce(subscription, group, rest, timeIsUp)));
      }
      const left = deadline - this.deps.clock.now();
      if (delivered.length > 0 || left <= 0 || req.signal?.aborted || this.closed) return delivered;
      const topics = [req.topic, retryTopicOf(req.group, req.topic)];
      await this.arrivals.wait(topics, Math.min(left, RECHECK_MS), req.signal);
    }
  }

  /**
   * Finishes deliveries, with one durability wait for all of them. Each handle gets its own outcome: undefined, or
   * INVALID_RECEIPT_HANDLE for an unknown, superseded or expired one.
   */
  async ack(group: string, topic: string, receiptHandles: readonly string[]): Promise<(DataplaneError | undefined)[]> {
    let fifoMoved = false;
    const outcomes = receiptHandles.map((handle) => {
      try {
        const { subscription, queueId, offset, entry } = this.outstanding(group, topic, handle);
        this.states.journalAck(subscription, queueId, offset);
        if (entry.fifoGroup) fifoMoved = true;
        return undefined;
      } catch (err) {
        if (err instanceof DataplaneError) return err;
        throw err;
      }
    });
    if (outcomes.some((o) => o === undefined)) await this.states.durable();
    // The next message of each acked FIFO group is due now: long polls need not wait for their recheck.
    if (fifoMoved) this.arrivals.notify(topic);
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
    if (entry.fifoGroup) this.arrivals.notify(topic);
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

  /** Per topic and queue of the group: ready, in flight, and how long the oldest messages waited. */
  lag(group: string): Promise<QueueLag[]> {
    return lagOf(this.states, this.deps.store, group, this.deps.clock.now());
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
    for (const topic of releaseLeases(this.states, clientId, this.deps.clock.now())) this.arrivals.notify(topic);
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

  private isCurrent(req: ReceiveRequest, receiptHandle: string): boolean {
    try {
      this.outstanding(req.group, req.topic, receiptHandle);
      return true;
    } catch {
      return false;
    }
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
  private async popOnce(
    s: Subscription,
    group: GroupConfig,
    req: ReceiveRequest,
    timeIsUp: () => boolean,
  ): Promise<Delivered[]> {
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
      let scanned = 0;
      do {
        const cursor = state.cursor;
        const got = group.fifo
          ? await this.popFifoQueue(s, queueId, state, group, req, budget)
          : await this.popQueue(s, queueId, state, group, req, budget);
        for (const d of got) {
          delivered.push(d);
          bytes += d.message.body.length;
        }
        if (got.length > 0 || state.cursor === cursor) break;
        scanned += state.cursor - cursor;
      } while (scanned < MAX_FILTERED_SCAN && !timeIsUp());
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
    // A filter may reject most entries: claim a wider stretch, deliver at most the budget, release the rest.
    const wanted = budget.count - claims.length;
    const claimCount = req.filter.matchesAll || wanted <= 0 ? wanted : Math.max(wanted, FILTER_SCAN_CHUNK);
    const fresh = state.claimNew(claimCount, Number(max), this.limits.maxUnackedPerQueue);
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
        const { messages } = await readEntries(
          this.deps.store,
          s.topic,
          queueId,
          claim.offset,
          1,
          budget.bytes,
          req.filter,
        );
        this.deliverOrSkip(s, queueId, state, claim, messages[0], req, invisibleMs, delivered);
      }
      if (fresh.count > 0) {
        const read = await readEntries(
          this.deps.store,
          s.topic,
          queueId,
          fresh.first,
          fresh.count,
          budget.bytes,
          req.filter,
        );
        const byOffset = new Map(read.messages.map((m) => [Number(m.queueOffset), m]));
        const readUpTo = read.nextOffset;
        for (let offset = fresh.first; offset < fresh.first + fresh.count; offset++) {
          const entry = state.unacked.get(offset);
          if (!entry) continue;
          const claim = { offset, entry, deadLetter: false };
          // Over the byte budget, or the batch is full: stays for the next receive.
          if (offset >= readUpTo || delivered.length >= budget.count) release(claim);
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

  /** FIFO pops of a queue take turns (see `fifoTurns`). */
  private popFifoQueue(
    s: Subscription,
    queueId: number,
    state: QueuePopState,
    group: GroupConfig,
    req: ReceiveRequest,
    budget: { count: number; bytes: number },
  ): Promise<Delivered[]> {
    const turn = (this.fifoTurns.get(state) ?? Promise.resolve()).then(() =>
      this.popFifoQueueInTurn(s, queueId, state, group, req, budget),
    );
    this.fifoTurns.set(
      state,
      turn.catch(() => {}),
    );
    return turn;
  }

  /**
   * Pop for a FIFO group (PROTOCOL.md §7.7): per message group, one message in flight at a time, in queue order. Due
   * entries are heads of their group (redeliveries first, as they come before anything newer); new entries are read
   * in order and filed under their group, delivered when first in line and held otherwise. Messages without a group
   * never wait.
   */
  private async popFifoQueueInTurn(
    s: Subscription,
    queueId: number,
    state: QueuePopState,
    group: GroupConfig,
    req: ReceiveRequest,
    budget: { count: number; bytes: number },
  ): Promise<Delivered[]> {
    const now = this.deps.clock.now();
    const invisibleMs = req.renewFor !== undefined ? this.limits.autoRenewMs : req.invisibleMs;
    const { min, max } = this.deps.store.queueOffsets(s.topic, queueId);
    if (state.cursor < Number(min)) state.dropBelow(Number(min));
    const delivered: Delivered[] = [];
    let bytes = 0;
    const deliver = (offset: number, entry: Unacked, message: StoredMessage | undefined) => {
      entry.delivery = this.nextDelivery();
      const before = delivered.length;
      this.deliverOrSkip(s, queueId, state, { offset, entry, deadLetter: false }, message, req, invisibleMs, delivered);
      if (delivered.length > before) bytes += (message as StoredMessage).body.length;
    };
    try {
      await this.classifyUnread(s, queueId, state, req.filter);
      for (const [offset, entry] of state.due(now, budget.count)) {
        if (delivered.length >= budget.count || bytes >= budget.bytes) break;
        if (entry.attempt + 1 > group.maxDeliveryAttempts) {
          entry.delivery = this.nextDelivery();
          await this.deadLetter(s, queueId, { offset, entry, deadLetter: true });
          continue;
        }
        deliver(offset, entry, await readOne(this.deps.store, s.topic, queueId, offset, budget.bytes - bytes));
      }
      const outstandingRoom = Math.min(this.limits.maxUnackedPerQueue, FIFO_MAX_OUTSTANDING);
      while (delivered.length < budget.count && bytes < budget.bytes) {
        const fresh = state.claimNew(FILTER_SCAN_CHUNK, Number(max), outstandingRoom);
        if (fresh.count === 0) break;
        const read = await readEntries(
          this.deps.store,
          s.topic,
          queueId,
          fresh.first,
          fresh.count,
          budget.bytes - bytes,
          req.filter,
        );
        const byOffset = new Map(read.messages.map((m) => [Number(m.queueOffset), m]));
        for (let offset = fresh.first; offset < read.nextOffset; offset++) {
          const entry = state.unacked.get(offset) as Unacked;
          const message = byOffset.get(offset);
          if (!message || !req.filter.matches(message)) {
            state.ack(offset); // a hole, expired, or filtered out: consumed for this group
            continue;
          }
          if (state.classify(offset, entry, groupOf(message)) === 'held') continue;
          if (delivered.length < budget.count && bytes < budget.bytes) deliver(offset, entry, message);
          else state.setVisibleAt(entry, now); // first in line: the next receive takes it
        }
        state.unclaimFrom(read.nextOffset); // beyond the byte budget: read again next time
        if (read.nextOffset < fresh.first + fresh.count) break;
      }
    } catch (err) {
      // Claims not yet filed under a group become due; the next turn reads them again before anything newer.
      for (const entry of state.unacked.values()) {
        if (entry.visibleAt === Number.POSITIVE_INFINITY && !entry.held) entry.visibleAt = now;
      }
      state.recheckDue();
      throw err;
    }
    return delivered;
  }

  /** Files every outstanding entry that was never read in this run (restored after a restart) under its group. */
  private async classifyUnread(s: Subscription, queueId: number, state: QueuePopState, filter: MessageFilter) {
    for (let unread = state.unread(); unread.length > 0; unread = state.unread()) {
      const first = unread[0] as number;
      const last = unread[Math.min(unread.length, FILTER_SCAN_CHUNK) - 1] as number;
      const read = await readEntries(
        this.deps.store,
        s.topic,
        queueId,
        first,
        last - first + 1,
        this.limits.maxReceiveBytes,
        filter,
      );
      const byOffset = new Map(read.messages.map((m) => [Number(m.queueOffset), m]));
      // Nothing stored there (a tail lost with the page cache before a crash): nothing to wait for.
      const readUpTo = Math.max(read.nextOffset, first + 1);
      for (const offset of unread) {
        if (offset >= readUpTo) break;
        const entry = state.unacked.get(offset);
        if (!entry || entry.fifoGroup !== undefined) continue;
        const message = byOffset.get(offset);
        if (!message || !filter.matches(message)) state.ack(offset);
        else state.classify(offset, entry, groupOf(message));
      }
    }
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

  private async deadLetter(s: Subscription, queueId: number, claim: Claim): Promise<void> {
    const message = await readOne(this.deps.store, s.topic, queueId, claim.offset, this.limits.maxReceiveBytes);
    if (message) await this.deps.deadLetters.send(s.group, message);
    this.states.journalAck(s, queueId, claim.offset);
    await this.states.durable();
    this.deps.log.info(
      { group: s.group, topic: s.topic, queueId, offset: claim.offset, attempts: claim.entry.attempt },
      'message dead-lettered',
    );
  }
}
