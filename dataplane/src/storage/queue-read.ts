import type { CommitLog } from './commit-log.js';
import type { ConsumeQueue, CqEntry } from './consume-queue.js';
import { decodeRecord, type StoredMessage } from './record-codec.js';

export type ReadResult =
  | { kind: 'found'; messages: StoredMessage[]; nextOffset: bigint }
  /** `offset` equals the queue's end: nothing new yet. */
  | { kind: 'no-new-message'; nextOffset: bigint }
  /** Below the minimum (expired) or past the end: never garbage. */
  | { kind: 'offset-out-of-range'; minOffset: bigint; maxOffset: bigint };

export interface ReadLimits {
  readonly maxCount: number;
  readonly maxBytes: number;
  /**
   * Tag hashes a subscription can match: entries with another hash are stepped over like holes, without reading their
   * records (a hash in the set may still collide; the caller confirms on the record).
   */
  readonly tagHashes?: ReadonlySet<number>;
}

/**
 * Messages of one queue from `offset` (which the caller checked is inside the queue), streamed from disk: one read of
 * consume-queue entries, then one positional read per run of records that lie back to back in the commit log.
 */
export async function readQueue(
  queue: ConsumeQueue,
  log: Pick<CommitLog<unknown>, 'readBytes' | 'corruptionAt'>,
  offset: bigint,
  limits: ReadLimits,
): Promise<ReadResult> {
  const entries = withinBytes(
    wanted(await queue.read(offset, Math.max(1, limits.maxCount)), limits.tagHashes),
    limits.maxBytes,
  );
  const messages: StoredMessage[] = [];
  let consumed = 0;
  for (const run of contiguousRuns(entries)) {
    // Holes carry no bytes (a filtered-out entry keeps its own commit offset): the read starts at the first record.
    const first = run.find((e) => e.size > 0);
    const bytes = run.reduce((sum, e) => sum + e.size, 0);
    const got = first ? await log.readBytes(first.commitOffset, bytes) : Buffer.alloc(0);
    if (!got) break; // expired under us (retention): what was read so far is still a contiguous prefix
    let at = 0;
    for (const entry of run) {
      if (entry.size > 0) {
        const result = decodeRecord(got.subarray(at, at + entry.size), 0, entry.commitOffset);
        if (result.kind !== 'record') {
          throw log.corruptionAt(entry.commitOffset, result.kind === 'corrupt' ? result.reason : result.kind);
        }
        messages.push(result.message);
        at += entry.size;
      }
      consumed++;
    }
  }
  if (consumed === 0) return { kind: 'offset-out-of-range', minOffset: queue.minOffset, maxOffset: queue.maxOffset };
  return { kind: 'found', messages, nextOffset: offset + BigInt(consumed) };
}

/** Entries whose tag hash cannot match become holes: counted as consumed, never read. */
function wanted(entries: CqEntry[], tagHashes: ReadonlySet<number> | undefined): CqEntry[] {
  if (!tagHashes) return entries;
  return entries.map((e) => (e.size === 0 || tagHashes.has(Number(e.tagHash)) ? e : { ...e, size: 0 }));
}

/** The longest prefix within `maxBytes`, but at least one entry so a large message can always be read. */
function withinBytes(entries: readonly CqEntry[], maxBytes: number): CqEntry[] {
  let bytes = 0;
  let n = 0;
  while (n < entries.length && (n === 0 || bytes + (entries[n] as CqEntry).size <= maxBytes)) {
    bytes += (entries[n] as CqEntry).size;
    n++;
  }
  return entries.slice(0, n);
}

/** Entries whose records lie back to back in the commit log (one read each); holes (size 0) join any run. */
function* contiguousRuns(entries: readonly CqEntry[]): Generator<CqEntry[]> {
  let run: CqEntry[] = [];
  let end: bigint | undefined;
  for (const entry of entries) {
    if (entry.size === 0) {
      run.push(entry);
      continue;
    }
    if (end !== undefined && end !== entry.commitOffset) {
      yield run;
      run = [];
    }
    run.push(entry);
    end = entry.commitOffset + BigInt(entry.size);
  }
  if (run.length > 0) yield run;
}
