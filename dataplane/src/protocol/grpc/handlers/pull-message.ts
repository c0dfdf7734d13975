import type { MessageFilter } from '../../../filter/filter-expression.js';
import type { Clock } from '../../../lib/clock.js';
import { Code, DataplaneError } from '../../../lib/errors.js';
import type { Arrivals } from '../../../messaging/pop/arrivals.js';
import type { StoredMessage } from '../../../storage/record-codec.js';
import { filterOf, msOfDuration } from '../consumer-request.js';
import { toDeliveredMessage } from '../delivered-message.js';
import type { StreamCall } from '../server-stream.js';
import { OK_STATUS } from '../status.js';
import type { PullMessageRequest, PullMessageResponse } from '../wire.js';
import { offsetOf, type QueueAddress, type QueueDeps, queueOf, resolveGroup } from './offsets.js';
import type { RpcContext } from './rpc-context.js';

export interface PullMessageDeps extends QueueDeps {
  readonly clock: Clock;
  /** Wakes a long poll when its topic receives a message (pop consumption's `Arrivals`). */
  readonly arrivals: Pick<Arrivals, 'wait'>;
  /** This broker's advertised endpoint, reported as each message's store host. */
  readonly storeHost: () => string;
}

export const DEFAULT_PULL_BATCH = 32;
export const MAX_PULL_BATCH = 1024;
/** Upper bound of a long poll, as for ReceiveMessage (PROTOCOL.md §8). */
export const MAX_PULL_LONG_POLL_MS = 20_000;
/** A poll ends this long before the client's deadline, so the answer arrives in time. */
const DEADLINE_MARGIN_MS = 300;
/** Bytes of records one pull reads at most (each delivered message is still one frame below 4 MiB). */
const MAX_PULL_BYTES = 8 << 20;
/** Entries read per step while a filter rejects most of them (records of other tags are skipped unread). */
const FILTER_SCAN_CHUNK = 256;
/** How long a pull without a long poll may still spend stepping over filtered entries. */
const SCAN_MS = 1000;
/** Entries a pull skips through its filter before answering with the advanced offset and no messages. */
const MAX_FILTERED_ENTRIES = 4096;
/** A held pull also looks at its queue this often, should a wake-up be missed. */
const RECHECK_MS = 1000;

type Outcome =
  | { kind: 'messages'; messages: StoredMessage[]; nextOffset: bigint }
  | { kind: 'none'; nextOffset: bigint }
  | { kind: 'out-of-range'; offset: bigint; min: bigint; max: bigint };

/**
 * Queue-level consumption: messages of one queue from an offset the client tracks, matching its filter. Frames are
 * the status, the messages, then `next_offset`; messages the filter rejects are passed over and `next_offset` moves
 * past them. With nothing new the call is held until a message arrives or the long-polling timeout (capped, and
 * ended before the client's deadline), then answered MESSAGE_NOT_FOUND. An offset outside the queue is
 * ILLEGAL_OFFSET with the nearest valid offset as `next_offset`. Nothing is committed: the client calls UpdateOffset.
 */
export function pullMessage(deps: PullMessageDeps) {
  return async (req: PullMessageRequest, ctx: RpcContext, call: StreamCall): Promise<PullMessageResponse[]> => {
    const queue = queueOf(deps, req.message_queue);
    const group = await resolveGroup(deps, req.group);
    const offset = offsetOf(req.offset);
    const filter = filterOf(req.filter_expression);
    const batch = req.batch_size && req.batch_size > 0 ? Math.min(req.batch_size, MAX_PULL_BATCH) : DEFAULT_PULL_BATCH;
    const pollMs = msOfDuration(req.long_polling_timeout) ?? 0;
    if (pollMs < 0)
      throw new DataplaneError(Code.ILLEGAL_POLLING_TIME, `long polling timeout ${pollMs} ms is negative`);
    const now = deps.clock.now();
    const waitUntil = now + Math.min(pollMs, MAX_PULL_LONG_POLL_MS, call.deadlineMs - DEADLINE_MARGIN_MS - now);

    // Stepping over filtered entries stops in time for the answer, and at least a second in even without a long poll.
    const scanUntil = Math.min(call.deadlineMs - DEADLINE_MARGIN_MS, Math.max(waitUntil, now + SCAN_MS));
    const timeIsUp = () => call.signal.aborted || deps.clock.now() >= scanUntil;
    const outcome = await pull(deps, queue, offset, filter, batch, timeIsUp, async (at) => {
      for (;;) {
        // Checked and then waited on without a turn of the event loop between: no arrival slips through.
        if (deps.store.queueOffsets(queue.topic, queue.queueId).max > at) return true;
        const left = waitUntil - deps.clock.now();
        if (left <= 0 || call.signal.aborted) return false;
        await deps.arrivals.wait([queue.topic], Math.min(left, RECHECK_MS), call.signal);
      }
    });
    ctx.log.debug({ group, ...queue, offset: String(offset), outcome: outcome.kind }, 'pulled');
    const storeHost = deps.storeHost();
    switch (outcome.kind) {
      case 'messages':
        return [
          { status: OK_STATUS },
          ...outcome.messages.map((m) => ({ message: toDeliveredMessage(m, { attempt: 1 }, storeHost) })),
          { next_offset: String(outcome.nextOffset) },
        ];
      case 'none':
        return [
          { status: { code: Code.MESSAGE_NOT_FOUND, message: 'no new message' } },
          { next_offset: String(outcome.nextOffset) },
        ];
      case 'out-of-range': {
        const nearest = outcome.offset < outcome.min ? outcome.min : outcome.max;
        const message = `offset ${outcome.offset} is outside queue ${queue.queueId}: ${outcome.min} to ${outcome.max}`;
        return [{ status: { code: Code.ILLEGAL_OFFSET, message } }, { next_offset: String(nearest) }];
      }
    }
  };
}

/**
 * Reads from `offset` until messages match the filter; at the queue's end, `waitForMore(at)` holds the call until
 * something arrived past `at` (true) or the poll is over (false).
 */
async function pull(
  deps: PullMessageDeps,
  { topic, queueId }: QueueAddress,
  offset: bigint,
  filter: MessageFilter,
  batch: number,
  timeIsUp: () => boolean,
  waitForMore: (at: bigint) => Promise<boolean>,
): Promise<Outcome> {
  let at = offset;
  let skipped = 0;
  for (;;) {
    // A filter may reject most entries: read a wider stretch (tag hashes skip records unread), answer at most `batch`.
    const read = await deps.store.read(topic, queueId, at, {
      maxCount: filter.matchesAll ? batch : Math.max(batch, FILTER_SCAN_CHUNK),
      maxBytes: MAX_PULL_BYTES,
      ...(filter.tagHashes && { tagHashes: filter.tagHashes }),
    });
    if (read.kind === 'offset-out-of-range') {
      // Only the request's own offset can be outside; later ones were handed out by the store.
      if (at === offset) return { kind: 'out-of-range', offset, min: read.minOffset, max: read.maxOffset };
      return { kind: 'none', nextOffset: read.minOffset };
    }
    if (read.kind === 'found') {
      const matching = read.messages.filter((m) => filter.matches(m));
      const messages = matching.slice(0, batch);
      const last = messages.at(-1);
      // Past the last answered message when the batch filled up; otherwise everything read was stepped over.
      const next = messages.length === batch && last ? last.queueOffset + 1n : read.nextOffset;
      skipped += Number(next - at) - messages.length;
      at = next;
      if (messages.length > 0) return { kind: 'messages', messages, nextOffset: at };
      if (skipped >= MAX_FILTERED_ENTRIES || timeIsUp()) return { kind: 'none', nextOffset: at };
      continue;
    }
    if (!(await waitForMore(at))) return { kind: 'none', nextOffset: at };
  }
}
