import { HalfEntry } from './half-entry.js';
import type { Resolution, TxnRecord } from './txn-journal.js';

/** A half message found in the half queue after the snapshot's `scanned` offset. */
export interface ScannedHalf {
  readonly txnId: string;
  readonly messageId: string;
  readonly topic: string;
  readonly clientId: string;
  readonly halfOffset: number;
  readonly physicalOffset: number;
  readonly storeTimestamp: number;
}

export interface RebuiltTable {
  readonly entries: Map<string, HalfEntry>;
  /** Resolutions journaled since the snapshot (to answer a late EndTransaction precisely). */
  readonly resolved: Map<string, Resolution>;
}

/**
 * The unresolved half messages after a restart, from the snapshot's entries, the half messages stored after the
 * snapshot, then the records in journal order. A transaction is keyed by its id: a copy written ahead of retention
 * (same id, a later half-queue offset) replaces the original. No check is due before `openedAt` plus one interval
 * (`since` is at least `openedAt`), which gives producers time to reconnect. Pure.
 */
export function rebuildTable(
  records: readonly TxnRecord[],
  scanned: readonly ScannedHalf[],
  openedAt: number,
  /** Shares equal strings (topics, client ids) between entries. */
  intern: (s: string) => string = (s) => s,
): RebuiltTable {
  const entries = new Map<string, HalfEntry>();
  const resolved = new Map<string, Resolution>();
  for (const r of records) {
    if (r.type !== 'entry') continue;
    entries.set(
      r.txnId,
      new HalfEntry(
        r.txnId,
        r.messageId,
        intern(r.topic),
        intern(r.clientId),
        r.halfOffset,
        r.physicalOffset,
        r.storeTimestamp,
        r.checks,
        r.since,
      ),
    );
  }
  for (const h of scanned) {
    const existing = entries.get(h.txnId);
    if (existing) {
      if (h.halfOffset > existing.halfOffset) {
        existing.halfOffset = h.halfOffset;
        existing.physicalOffset = h.physicalOffset;
      }
      continue;
    }
    entries.set(
      h.txnId,
      new HalfEntry(
        h.txnId,
        h.messageId,
        intern(h.topic),
        intern(h.clientId),
        h.halfOffset,
        h.physicalOffset,
        h.storeTimestamp,
        0,
        h.storeTimestamp,
      ),
    );
  }
  for (const r of records) {
    const entry = r.type === 'header' || r.type === 'entry' ? undefined : entries.get(r.txnId);
    switch (r.type) {
      case 'resolved':
        entries.delete(r.txnId);
        resolved.set(r.txnId, r.resolution);
        break;
      case 'checked':
        if (entry) {
          entry.checks = Math.max(entry.checks, r.checks);
          entry.since = Math.max(entry.since, r.at);
        }
        break;
      case 'moved':
        if (entry && r.halfOffset > entry.halfOffset) {
          entry.halfOffset = r.halfOffset;
          entry.physicalOffset = r.physicalOffset;
        }
        break;
    }
  }
  for (const entry of entries.values()) entry.since = Math.max(entry.since, openedAt);
  return { entries, resolved };
}

/** The records a snapshot needs to rebuild `entries` and the resolutions of half messages at or past `scanned`. */
export function snapshotRecords(
  entries: Iterable<HalfEntry>,
  resolvedAhead: Iterable<[string, { halfOffset: number; resolution: Resolution }]>,
): TxnRecord[] {
  const records: TxnRecord[] = [];
  for (const e of entries) {
    records.push({
      type: 'entry',
      txnId: e.txnId,
      messageId: e.messageId,
      topic: e.topic,
      clientId: e.clientId,
      halfOffset: e.halfOffset,
      physicalOffset: e.physicalOffset,
      storeTimestamp: e.storeTimestamp,
      checks: e.checks,
      since: e.since,
    });
  }
  for (const [txnId, { halfOffset, resolution }] of resolvedAhead) {
    records.push({ type: 'resolved', txnId, halfOffset, resolution });
  }
  return records;
}
