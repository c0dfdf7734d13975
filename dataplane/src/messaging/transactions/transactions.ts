import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.js';
import { Code, DataplaneError } from '../../lib/errors.js';
import type { AppendResult, ExpiringRange, MessageStore } from '../../storage/message-store.js';
import type { MessageInput, StoredMessage } from '../../storage/record-codec.js';
import { type CheckPolicy, dueActions } from './check-policy.js';
import { ContiguousOffsets } from './contiguous-offsets.js';
import { HalfEntry } from './half-entry.js';
import { asSentMessage, committedMessage, copyOfHalf, HALF_TOPIC, halfFactsOf, toHalfMessage } from './half-message.js';
import { scanHalves } from './half-scan.js';
import { isTransactionId, TransactionIds } from './transaction-id.js';
import { type Resolution, TxnJournal } from './txn-journal.js';
import { transition } from './txn-state.js';
import { rebuildTable, snapshotRecords } from './txn-table.js';

export type { Resolution } from './txn-journal.js';

export interface TransactionPolicy extends CheckPolicy {
  /** Unresolved transactions this broker holds; transactional sends beyond it are refused (TOO_MANY_REQUESTS). */
  readonly maxUnresolved: number;
  /** How often the broker looks for transactions due a check. */
  readonly tickMs: number;
  /** Checks (and give-ups) handled per tick. */
  readonly maxChecksPerTick: number;
  /** Journal size that triggers a snapshot and a fresh journal. */
  readonly rotateBytes: number;
}

/** RocketMQ's defaults: first check after the interval, 15 checks, then roll back. */
export const DEFAULT_TRANSACTION_POLICY: TransactionPolicy = {
  checkIntervalMs: 30_000,
  maxChecks: 15,
  giveUp: 'rollback',
  maxUnresolved: 200_000,
  tickMs: 1000,
  maxChecksPerTick: 2000,
  rotateBytes: 8 << 20,
};

/** Who ended a transaction: the producer, the producer answering a check, or the broker after the last check. */
export type ResolutionSource = 'client' | 'server-check' | 'broker';

export interface EndRequest {
  readonly topic: string;
  readonly messageId: string;
  readonly transactionId: string;
  readonly resolution: Resolution;
  readonly source: Exclude<ResolutionSource, 'broker'>;
}

export type EndOutcome =
  | { readonly kind: 'committed' }
  | { readonly kind: 'rolled-back' }
  | { readonly kind: 'malformed-id' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'already-resolved'; readonly resolution: Resolution }
  | { readonly kind: 'mismatch'; readonly reason: string };

/**
 * Asks a producer of the message's topic (the sending client first) about an unresolved transaction, over its
 * Telemetry stream; false when no producer is connected. `message` is the half message as it was sent.
 */
export type CheckBack = (message: StoredMessage, transactionId: string, clientId: string) => boolean;

export interface TransactionMetrics {
  recordResolved(topic: string, resolution: Resolution, source: ResolutionSource): void;
  recordCheck(topic: string, sent: boolean): void;
}

export interface TransactionsDeps {
  readonly store: Pick<
    MessageStore,
    'append' | 'appendAll' | 'read' | 'readAt' | 'queueOffsets' | 'onSegmentExpiring'
  > & { readonly config: { readonly dataDir: string; readonly flush: string } };
  readonly clock: Clock;
  readonly log: Logger;
  readonly checkBack: CheckBack;
  readonly policy?: Partial<TransactionPolicy>;
  readonly metrics?: TransactionMetrics;
}

export interface TopicTransactions {
  readonly topic: string;
  readonly unresolved: number;
  /** Epoch ms the oldest unresolved half message was stored. */
  readonly oldestStoredAt: number;
  /** How long ago that was. */
  readonly oldestAgeMs: number;
}

/** Resolutions remembered to tell a second EndTransaction what happened (bounded; older ones read as unknown). */
const RECENT_RESOLUTIONS = 50_000;

/**
 * Transactional messages (PROTOCOL.md §7.10). A TRANSACTION send stores a half message on the system half topic,
 * invisible to consumers; EndTransaction commits it (the message is stored again on its real topic, keeping its id)
 * or rolls it back. Half messages left unresolved are checked back through a producer's Telemetry stream every
 * check interval, up to the maximum, then resolved by the broker (rollback by default).
 *
 * Durable truth: the half messages in the commit log, and the transaction journal (resolutions, check counts, copies).
 * A commit is stored before its resolution is journaled, so a crash in between leads to a check, never a loss.
 * Memory holds one small entry per unresolved transaction (about 270 bytes), never a body; the count is capped
 * (`maxUnresolved`, 200,000 by default).
 * Ahead of retention, unresolved half messages in an expiring segment are copied forward with the same id.
 */
export class Transactions {
  private readonly policy: TransactionPolicy;
  private readonly ids = new TransactionIds();
  private readonly locks = new Map<string, Promise<void>>();
  /**
   * Resolved transactions whose half message is at or past `reported.below`: a snapshot must still record them. (A
   * half append that fails after storage assigned its offset leaves `below` there until the next restart; this map
   * then keeps every later resolution until then.)
   */
  private readonly resolvedAhead = new Map<string, { halfOffset: number; resolution: Resolution }>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private exclusive: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly deps: TransactionsDeps,
    private readonly journal: TxnJournal,
    private readonly entries: Map<string, HalfEntry>,
    private readonly recent: Map<string, Resolution>,
    private readonly reported: ContiguousOffsets,
    /** Topic names and client ids shared by the entries. */
    private readonly strings: Map<string, string>,
  ) {
    this.policy = { ...DEFAULT_TRANSACTION_POLICY, ...deps.policy };
    deps.store.onSegmentExpiring((range) => this.serialized(() => this.rescue(range)));
  }

  /** Replays the journal and the half messages stored since its snapshot; checks start with `start()`. */
  static async open(deps: TransactionsDeps): Promise<Transactions> {
    const { store, log } = deps;
    const { journal, replay } = await TxnJournal.open(store.config.dataDir, store.config.flush === 'sync', log);
    const { halves, end } = await scanHalves(store, replay.scanned, log);
    const strings = new Map<string, string>();
    const { entries, resolved } = rebuildTable(replay.records, halves, deps.clock.now(), (s) => intern(strings, s));
    const txns = new Transactions(deps, journal, entries, resolved, new ContiguousOffsets(end), strings);
    if (entries.size > 0 || halves.length > 0) {
      log.info({ unresolved: entries.size, scannedHalves: halves.length }, 'transactions recovered');
    }
    return txns;
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => {
        this.ticking = undefined;
      });
    }, this.policy.tickMs);
    this.timer.unref();
  }

  /** Unresolved transactions on this broker. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The half message of a TRANSACTION message about to be sent, with a new transaction id; TOO_MANY_REQUESTS when
   * the broker already holds `maxUnresolved` transactions.
   */
  prepare(input: MessageInput, clientId: string): MessageInput {
    if (this.entries.size >= this.policy.maxUnresolved) {
      throw new DataplaneError(
        Code.TOO_MANY_REQUESTS,
        `this broker holds ${this.entries.size} unresolved transactions, its maximum; resolve some first`,
      );
    }
    return toHalfMessage(input, this.ids.next(), clientId);
  }

  /** The send path stored `inputs` (as `results`, in order); the half messages among them become unresolved. */
  stored(inputs: readonly MessageInput[], results: readonly AppendResult[]): void {
    inputs.forEach((input, i) => {
      const result = results[i];
      if (input.topic !== HALF_TOPIC || !result) return;
      const facts = halfFactsOf(input);
      if (!facts) return;
      const halfOffset = Number(result.queueOffset);
      this.reported.report(halfOffset);
      const { storeTimestamp } = result;
      const physicalOffset = Number(result.physicalOffset);
      const { transactionId, topic, clientId } = facts;
      this.entries.set(
        transactionId,
        new HalfEntry(
          transactionId,
          input.messageId,
          intern(this.strings, topic),
          intern(this.strings, clientId),
          halfOffset,
          physicalOffset,
          storeTimestamp,
          0,
          storeTimestamp,
        ),
      );
    });
  }

  /** EndTransaction: commit or roll back, once. */
  async end(request: EndRequest): Promise<EndOutcome> {
    const { transactionId } = request;
    if (!isTransactionId(transactionId)) return { kind: 'malformed-id' };
    const known = this.entries.has(transactionId) || this.recent.has(transactionId) || this.locks.has(transactionId);
    if (!known) return { kind: 'unknown' };
    return this.withEntry(transactionId, async (entry) => {
      if (!entry) return this.gone(transactionId);
      if (entry.messageId !== request.messageId) {
        return { kind: 'mismatch', reason: `transaction ${transactionId} is not of message ${request.messageId}` };
      }
      if (entry.topic !== request.topic) {
        return { kind: 'mismatch', reason: `transaction ${transactionId} is not on topic ${request.topic}` };
      }
      await this.resolve(entry, request.resolution, request.source);
      return { kind: request.resolution === 'commit' ? 'committed' : 'rolled-back' };
    });
  }

  /** Unresolved transactions per topic, by topic name. */
  unresolvedByTopic(): TopicTransactions[] {
    const byTopic = new Map<string, { unresolved: number; oldestStoredAt: number }>();
    for (const e of this.entries.values()) {
      const row = byTopic.get(e.topic);
      if (!row) byTopic.set(e.topic, { unresolved: 1, oldestStoredAt: e.storeTimestamp });
      else {
        row.unresolved++;
        row.oldestStoredAt = Math.min(row.oldestStoredAt, e.storeTimestamp);
      }
    }
    const now = this.deps.clock.now();
    return [...byTopic]
      .map(([topic, row]) => ({ topic, ...row, oldestAgeMs: Math.max(0, now - row.oldestStoredAt) }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  }

  /** One pass of checks and give-ups (the timer runs it every `tickMs`); then a snapshot if the journal grew. */
  async tick(): Promise<void> {
    try {
      const now = this.deps.clock.now();
      for (const { entry, action } of dueActions(
        this.entries.values(),
        now,
        this.policy,
        this.policy.maxChecksPerTick,
      )) {
        if (this.closed) return;
        if (action === 'check') await this.check(entry, now);
        else {
          await this.withEntry(entry.txnId, async (current) => {
            if (current?.state === 'half') await this.resolve(current, this.policy.giveUp, 'broker');
          });
        }
      }
      if (this.journal.size >= this.policy.rotateBytes) await this.serialized(() => this.snapshot());
    } catch (err) {
      this.deps.log.error({ err }, 'transaction checks failed');
    }
  }

  /** Stops checks, lets running work finish, writes a snapshot and closes the journal. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.locks.values()]);
    await this.serialized(() => this.snapshot());
    await this.journal.close();
  }

  private async check(entry: HalfEntry, now: number): Promise<void> {
    entry.checks++;
    entry.since = now;
    this.journal.append({ type: 'checked', txnId: entry.txnId, checks: entry.checks, at: now });
    const half = await this.deps.store.readAt(BigInt(entry.physicalOffset));
    const facts = half && halfFactsOf(half);
    if (!half || facts?.transactionId !== entry.txnId) {
      this.deps.log.error(
        { txnId: entry.txnId, topic: entry.topic, physicalOffset: entry.physicalOffset },
        'half message unreadable; the transaction cannot be checked',
      );
      return;
    }
    const sent = this.deps.checkBack(asSentMessage(half, facts), entry.txnId, entry.clientId);
    this.deps.metrics?.recordCheck(entry.topic, sent);
    this.deps.log.debug({ txnId: entry.txnId, topic: entry.topic, checks: entry.checks, sent }, 'transaction checked');
  }

  /** Commits or rolls back an entry the caller holds (withEntry); throws when a write fails, leaving it unresolved. */
  private async resolve(entry: HalfEntry, resolution: Resolution, source: ResolutionSource): Promise<void> {
    const { txnId } = entry;
    entry.state = transition(entry.state, 'resolving');
    try {
      if (resolution === 'commit') {
        const half = await this.deps.store.readAt(BigInt(entry.physicalOffset));
        const facts = half && halfFactsOf(half);
        if (!half || facts?.transactionId !== txnId) {
          throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `half message of transaction ${txnId} unreadable`);
        }
        await this.deps.store.append(committedMessage(half, facts));
      }
      this.journal.append({ type: 'resolved', txnId, halfOffset: entry.halfOffset, resolution });
    } catch (err) {
      entry.state = transition(entry.state, 'half');
      throw err;
    }
    // The entry leaves the table in the turn its record is journaled: a snapshot taken while the record is being
    // written must not list it, since that snapshot replaces the journal holding the record.
    this.entries.delete(txnId);
    const ahead = entry.halfOffset >= this.reported.below;
    if (ahead) this.resolvedAhead.set(txnId, { halfOffset: entry.halfOffset, resolution });
    try {
      await this.journal.durable();
    } catch (err) {
      this.entries.set(txnId, entry);
      if (ahead) this.resolvedAhead.delete(txnId);
      entry.state = transition(entry.state, 'half');
      throw err;
    }
    this.recent.set(txnId, resolution);
    if (this.recent.size > RECENT_RESOLUTIONS) this.recent.delete(this.recent.keys().next().value as string);
    this.deps.metrics?.recordResolved(entry.topic, resolution, source);
    const level = source === 'broker' ? 'info' : 'debug';
    this.deps.log[level]({ txnId, topic: entry.topic, resolution, source }, 'transaction resolved');
  }

  private gone(transactionId: string): EndOutcome {
    const resolution = this.recent.get(transactionId);
    return resolution ? { kind: 'already-resolved', resolution } : { kind: 'unknown' };
  }

  /** Copies every unresolved half message stored in `range` to the end of the half queue before it is deleted. */
  private async rescue(range: ExpiringRange): Promise<void> {
    // After close nothing can be journaled: fail the hook, so retention keeps the segment for the next run.
    if (this.closed) throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, 'transactions are closed');
    const inRange = (e: HalfEntry) => e.physicalOffset >= Number(range.start) && e.physicalOffset < Number(range.end);
    const moving = [...this.entries.values()].filter(inRange).map((e) => e.txnId);
    let moved = 0;
    for (const txnId of moving) {
      await this.withEntry(txnId, async (entry) => {
        if (!entry || !inRange(entry)) return;
        entry.state = transition(entry.state, 'moving');
        try {
          const half = await this.deps.store.readAt(BigInt(entry.physicalOffset));
          if (!half || halfFactsOf(half)?.transactionId !== txnId) {
            this.deps.log.error(
              { txnId, topic: entry.topic },
              'half message unreadable; cannot keep it past retention',
            );
            return;
          }
          const [copy] = (await this.deps.store.appendAll([copyOfHalf(half)])) as [AppendResult];
          entry.halfOffset = Number(copy.queueOffset);
          entry.physicalOffset = Number(copy.physicalOffset);
          this.reported.report(entry.halfOffset);
          this.journal.append({
            type: 'moved',
            txnId,
            halfOffset: entry.halfOffset,
            physicalOffset: entry.physicalOffset,
          });
          moved++;
        } finally {
          entry.state = transition(entry.state, 'half');
        }
      });
    }
    if (moved === 0) return;
    await this.journal.durable();
    this.deps.log.info({ moved, before: String(range.end) }, 'unresolved half messages copied ahead of retention');
  }

  private async snapshot(): Promise<void> {
    const below = this.reported.below;
    for (const [txnId, r] of this.resolvedAhead) if (r.halfOffset < below) this.resolvedAhead.delete(txnId);
    await this.journal.rotate(below, snapshotRecords(this.entries.values(), this.resolvedAhead));
  }

  /** Runs `fn` with the transaction's entry (undefined once resolved), one holder per transaction at a time. */
  private withEntry<T>(txnId: string, fn: (entry: HalfEntry | undefined) => Promise<T>): Promise<T> {
    const previous = this.locks.get(txnId) ?? Promise.resolve();
    const run = previous.then(() => fn(this.entries.get(txnId)));
    const tail = run.then(
      () => {},
      () => {},
    );
    this.locks.set(txnId, tail);
    void tail.then(() => {
      if (this.locks.get(txnId) === tail) this.locks.delete(txnId);
    });
    return run;
  }

  /** Snapshots and retention rescues run one at a time. */
  private serialized(fn: () => Promise<void>): Promise<void> {
    const run = this.exclusive.then(fn);
    this.exclusive = run.catch(() => {});
    return run;
  }
}

/** One copy of each topic name and client id (there are few distinct ones; the table is cleared if that stops). */
function intern(strings: Map<string, string>, s: string): string {
  const known = strings.get(s);
  if (known !== undefined) return known;
  if (strings.size >= 10_000) strings.clear();
  strings.set(s, s);
  return s;
}
