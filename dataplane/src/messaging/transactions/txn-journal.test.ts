import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@rocketry/testkit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { decodeTxnRecords, encodeTxnRecord, TxnJournal, type TxnRecord } from './txn-journal.js';

const log = pino({ level: 'silent' });
const id = (n: number) => n.toString(16).toUpperCase().padStart(32, '0');

const samples: TxnRecord[] = [
  { type: 'header', scanned: 7, journal: 3 },
  {
    type: 'entry',
    txnId: id(1),
    messageId: '01ABC',
    topic: 'orders-tx',
    clientId: 'client-ü',
    halfOffset: 5,
    physicalOffset: 2 ** 40 + 3,
    storeTimestamp: 1_700_000_000_123,
    checks: 4,
    since: 1_700_000_005_000,
  },
  { type: 'resolved', txnId: id(2), halfOffset: 9, resolution: 'commit' },
  { type: 'resolved', txnId: id(3), halfOffset: 10, resolution: 'rollback' },
  { type: 'checked', txnId: id(1), checks: 5, at: 1_700_000_006_000 },
  { type: 'moved', txnId: id(1), halfOffset: 11, physicalOffset: 123_456 },
];

describe('transaction journal records', () => {
  it('round-trip every record type', () => {
    const { good, end } = decodeTxnRecords(Buffer.concat(samples.map(encodeTxnRecord)));
    expect(good).toEqual(samples);
    expect(end).toBe(Buffer.concat(samples.map(encodeTxnRecord)).length);
  });

  it('stop at a torn or corrupt record and report where the good ones end', () => {
    const bytes = Buffer.concat(samples.map(encodeTxnRecord));
    const firstTwo = encodeTxnRecord(samples[0] as TxnRecord).length + encodeTxnRecord(samples[1] as TxnRecord).length;
    expect(decodeTxnRecords(bytes.subarray(0, firstTwo + 10))).toEqual({ good: samples.slice(0, 2), end: firstTwo });
    const corrupt = Buffer.from(bytes);
    corrupt[firstTwo + 20] = (corrupt[firstTwo + 20] as number) ^ 0xff;
    expect(decodeTxnRecords(corrupt)).toEqual({ good: samples.slice(0, 2), end: firstTwo });
  });
});

describe('TxnJournal', () => {
  it('replays what was appended, cuts a torn tail, and after a rotation replays the snapshot then the newer records', async () => {
    const dir = await tempDir();
    try {
      const first = await TxnJournal.open(dir.path, true, log);
      expect(first.replay).toEqual({ scanned: 0, records: [] });
      first.journal.append(samples[2] as TxnRecord);
      first.journal.append(samples[4] as TxnRecord);
      await first.journal.durable();
      await first.journal.close();
      const txnDir = join(dir.path, 'txn');
      const [log1] = (await readdir(txnDir)).filter((n) => n.startsWith('journal-'));
      await appendFile(join(txnDir, log1 as string), Buffer.from([40, 0, 0, 0, 1, 2]));

      const second = await TxnJournal.open(dir.path, false, log);
      expect(second.replay.records).toEqual([samples[2], samples[4]]);
      second.journal.append(samples[3] as TxnRecord);
      await second.journal.rotate(42, [samples[1] as TxnRecord]);
      second.journal.append(samples[5] as TxnRecord);
      await second.journal.close();

      const third = await TxnJournal.open(dir.path, false, log);
      expect(third.replay).toEqual({ scanned: 42, records: [samples[1], samples[5]] });
      await third.journal.close();
      expect((await readdir(txnDir)).filter((n) => n.startsWith('journal-'))).toHaveLength(2);
    } finally {
      await dir.remove();
    }
  });
});
