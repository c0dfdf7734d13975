import { describe, expect, it } from 'vitest';
import type { TxnRecord } from './txn-journal.js';
import { rebuildTable, type ScannedHalf, snapshotRecords } from './txn-table.js';

const id = (n: number) => n.toString(16).toUpperCase().padStart(32, '0');
const half = (n: number, halfOffset: number, storeTimestamp = 1000): ScannedHalf => ({
  txnId: id(n),
  messageId: `m${n}`,
  topic: 't-tx',
  clientId: 'c1',
  halfOffset,
  physicalOffset: halfOffset * 100,
  storeTimestamp,
});
const view = (table: ReturnType<typeof rebuildTable>) =>
  [...table.entries.values()].map((e) => ({
    txnId: e.txnId,
    halfOffset: e.halfOffset,
    physicalOffset: e.physicalOffset,
    checks: e.checks,
    since: e.since,
  }));

describe('rebuildTable', () => {
  it('adds the scanned half messages, then applies resolutions, checks and moves in journal order', () => {
    const records: TxnRecord[] = [
      { type: 'checked', txnId: id(1), checks: 2, at: 5000 },
      { type: 'resolved', txnId: id(2), halfOffset: 1, resolution: 'commit' },
      { type: 'moved', txnId: id(3), halfOffset: 9, physicalOffset: 900 },
      { type: 'checked', txnId: id(99), checks: 1, at: 5000 },
    ];
    const table = rebuildTable(records, [half(1, 0), half(2, 1), half(3, 2)], 0);
    expect(view(table)).toEqual([
      { txnId: id(1), halfOffset: 0, physicalOffset: 0, checks: 2, since: 5000 },
      { txnId: id(3), halfOffset: 9, physicalOffset: 900, checks: 0, since: 1000 },
    ]);
    expect(table.resolved).toEqual(new Map([[id(2), 'commit']]));
  });

  it('keeps snapshot entries with their check counts, lets a later copy replace the original, and drops resolved copies', () => {
    const snapshot = snapshotRecords(rebuildTable([], [half(1, 0), half(4, 3)], 0).entries.values(), [
      [id(5), { halfOffset: 6, resolution: 'rollback' }],
    ]);
    (snapshot[0] as { checks: number }).checks = 3;
    const table = rebuildTable(
      [...snapshot, { type: 'resolved', txnId: id(4), halfOffset: 3, resolution: 'rollback' }],
      [half(1, 5), half(5, 6)],
      0,
    );
    expect(view(table)).toEqual([{ txnId: id(1), halfOffset: 5, physicalOffset: 500, checks: 3, since: 1000 }]);
  });

  it('schedules no check before the broker has been open one interval', () => {
    const table = rebuildTable([], [half(1, 0, 1000)], 60_000);
    expect(view(table)[0]?.since).toBe(60_000);
  });
});
