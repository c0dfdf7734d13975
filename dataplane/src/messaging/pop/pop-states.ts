import type { PopJournal, PopRecord, Replay, SnapshotQueue } from './pop-journal.js';
import { QueuePopState } from './queue-pop-state.js';

/** A consumer group's pop state on one topic, per queue id. */
export interface Subscription {
  readonly group: string;
  readonly topic: string;
  readonly queues: Map<number, QueuePopState>;
}

const keyOf = (group: string, topic: string) => `${group}\u0000${topic}`;

/**
 * Every subscription's pop state, made durable through the journal: `journal*` methods change state and append the
 * record that replays the change; `replay` rebuilds the state after a restart; `snapshot` is what rotation saves.
 */
export class PopStates {
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(private readonly journal: PopJournal) {}

  get(group: string, topic: string): Subscription | undefined {
    return this.subscriptions.get(keyOf(group, topic));
  }

  list(): Subscription[] {
    return [...this.subscriptions.values()];
  }

  ofGroup(group: string): Subscription[] {
    return this.list().filter((s) => s.group === group);
  }

  /** The subscription, created empty (its queues are started by the caller) when new. */
  getOrCreate(group: string, topic: string): { subscription: Subscription; created: boolean } {
    const key = keyOf(group, topic);
    const found = this.subscriptions.get(key);
    if (found) return { subscription: found, created: false };
    const subscription: Subscription = { group, topic, queues: new Map() };
    this.subscriptions.set(key, subscription);
    return { subscription, created: true };
  }

  /** Starts (or restarts) consumption of a queue at `offset`. */
  journalReset(s: Subscription, queueId: number, offset: number): QueuePopState {
    let state = s.queues.get(queueId);
    if (state) state.reset(offset);
    else {
      state = new QueuePopState(offset);
      s.queues.set(queueId, state);
    }
    this.journal.append({ type: 'reset', group: s.group, topic: s.topic, queueId, offset });
    return state;
  }

  /** Marks an outstanding entry done; false when it was not outstanding. */
  journalAck(s: Subscription, queueId: number, offset: number): boolean {
    const state = s.queues.get(queueId);
    if (!state?.ack(offset)) return false;
    this.journal.append({ type: 'ack', group: s.group, topic: s.topic, queueId, offset });
    return true;
  }

  journalAttempt(s: Subscription, queueId: number, offset: number, attempt: number): void {
    this.journal.append({ type: 'attempt', group: s.group, topic: s.topic, queueId, offset, attempt });
  }

  durable(): Promise<void> {
    return this.journal.durable();
  }

  /** Rebuilds the state the journal describes: outstanding entries come back due at once, with their attempts. */
  replay(replay: Replay): void {
    for (const q of replay.snapshot) {
      const state = new QueuePopState(q.committed, q.cursor);
      for (const [offset, attempt] of q.unacked) state.unacked.set(offset, { delivery: 0, attempt, visibleAt: 0 });
      state.recheckDue();
      this.getOrCreate(q.group, q.topic).subscription.queues.set(q.queueId, state);
    }
    for (const record of replay.records) this.apply(record);
  }

  private apply(r: PopRecord): void {
    const { subscription } = this.getOrCreate(r.group, r.topic);
    let state = subscription.queues.get(r.queueId);
    if (r.type === 'reset' || !state) {
      state ??= new QueuePopState(r.offset);
      subscription.queues.set(r.queueId, state);
      if (r.type === 'reset') {
        state.reset(r.offset);
        return;
      }
    }
    if (r.offset < state.committed) return;
    // Claimed after the snapshot: what lies between was claimed (delivered at least once, as far as we know) too.
    const entry = r.offset >= state.cursor ? state.extendTo(r.offset, 1) : state.unacked.get(r.offset);
    if (r.type === 'ack') state.ack(r.offset);
    else if (entry) entry.attempt = Math.max(entry.attempt, r.attempt);
  }

  snapshot(): SnapshotQueue[] {
    const queues: SnapshotQueue[] = [];
    for (const s of this.subscriptions.values()) {
      for (const [queueId, state] of s.queues) {
        const unacked: [number, number][] = [];
        for (const [offset, entry] of state.unacked) unacked.push([offset, entry.attempt]);
        queues.push({
          group: s.group,
          topic: s.topic,
          queueId,
          committed: state.committed,
          cursor: state.cursor,
          unacked,
        });
      }
    }
    return queues;
  }

  /** Forgets a group (deleted) or a topic (deleted); their journal records die with the next rotation. */
  forget(predicate: (s: Subscription) => boolean): void {
    for (const [key, s] of this.subscriptions) if (predicate(s)) this.subscriptions.delete(key);
  }
}
