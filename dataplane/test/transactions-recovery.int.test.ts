import { type TempDir, tempDir } from '@rocketry/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CheckBack,
  type EndRequest,
  type TransactionPolicy,
  Transactions,
} from '../src/messaging/transactions/transactions.js';
import type { MessageStore } from '../src/storage/message-store.js';
import type { StoredMessage } from '../src/storage/record-codec.js';
import { message, openStore, silentLog, testConfig } from './support/store.js';

/**
 * The transaction table across restarts without a clean close (the journal is never snapshotted at shutdown), with
 * journal rotations in between and half messages whose appends settle out of order.
 */
let dir: TempDir | undefined;
let store: MessageStore | undefined;
afterEach(async () => {
  await store?.close();
  await dir?.remove();
  store = undefined;
  dir = undefined;
});

const TOPIC = 'rec-tx';
const checks: { messageId: string; topic: string; clientId: string }[] = [];
const checkBack: CheckBack = (m, _txnId, clientId) => {
  checks.push({ messageId: m.messageId, topic: m.topic, clientId });
  return true;
};
let clock = Date.now();
const testClock = { now: () => clock };

async function open(path: string, policy: Partial<TransactionPolicy> = {}): Promise<Transactions> {
  store = await openStore(testConfig(path), { clock: testClock });
  return Transactions.open({
    store,
    clock: testClock,
    log: silentLog,
    checkBack,
    // Every tick writes a snapshot and starts a new journal.
    policy: { rotateBytes: 1, checkIntervalMs: 1000, maxChecks: 2, ...policy },
  });
}

/** A crash as far as transactions go: the store closes cleanly, the transaction journal is left as it is. */
async function crash(): Promise<void> {
  await store?.close();
  store = undefined;
}

const commit = (messageId: string, transactionId: string): EndRequest => ({
  topic: TOPIC,
  messageId,
  transactionId,
  resolution: 'commit',
  source: 'client',
});

async function committed(s: MessageStore): Promise<string[]> {
  const read = await s.read(TOPIC, 0, 0n, { maxCount: 100, maxBytes: 1 << 20 });
  return read.kind === 'found' ? read.messages.map((m: StoredMessage) => m.messageId) : [];
}

describe('transactions after a crash', () => {
  it('rebuild exactly the unresolved ones across rotations and out-of-order appends, and never commit twice', async () => {
    dir = await tempDir();
    let txns = await open(dir.path);
    const s = store as MessageStore;
    const ids = new Map<string, string>(); // message id → transaction id
    const prepare = (n: number) => {
      const input = txns.prepare(message(TOPIC, 0, n, { messageId: `M${n}` }), `client-${n}`);
      return input;
    };
    // M0..M3 stored in order.
    for (let n = 0; n < 4; n++) {
      const input = prepare(n);
      txns.stored([input], await s.appendAll([input]));
      ids.set(`M${n}`, input.properties['\u0001txnId'] as string);
    }
    expect(await txns.end(commit('M0', ids.get('M0') as string))).toEqual({ kind: 'committed' });
    expect(await txns.end({ ...commit('M1', ids.get('M1') as string), resolution: 'rollback' })).toEqual({
      kind: 'rolled-back',
    });
    await txns.tick(); // rotation 1

    // M4 and M5 appended together, but the send path reports M5 first; M5 resolves and a snapshot is taken, and the
    // broker dies before M4 is reported: the snapshot covers the half queue only up to M4.
    const [in4, in5] = [prepare(4), prepare(5)];
    const [, r5] = await Promise.all([s.appendAll([in4]), s.appendAll([in5])]);
    ids.set('M4', in4.properties['\u0001txnId'] as string);
    ids.set('M5', in5.properties['\u0001txnId'] as string);
    txns.stored([in5], r5);
    expect(await txns.end(commit('M5', ids.get('M5') as string))).toEqual({ kind: 'committed' });
    await txns.tick(); // rotation 2

    await crash();
    txns = await open(dir.path);
    expect(txns.unresolvedByTopic()).toMatchObject([{ topic: TOPIC, unresolved: 3 }]);
    for (const m of ['M0', 'M1', 'M5']) {
      expect((await txns.end(commit(m, ids.get(m) as string))).kind).toMatch(/^(already-resolved|unknown)$/);
    }
    expect(await committed(store as MessageStore)).toEqual(['M0', 'M5']);

    clock += 1000; // one interval after opening: the first check of each
    await txns.tick();
    expect(checks.map((c) => c.messageId).sort()).toEqual(['M2', 'M3', 'M4']);
    expect(checks.find((c) => c.messageId === 'M2')).toEqual({ messageId: 'M2', topic: TOPIC, clientId: 'client-2' });
    expect(await txns.end(commit('M3', ids.get('M3') as string))).toEqual({ kind: 'committed' });
    await txns.tick(); // rotation

    await crash();
    txns = await open(dir.path);
    expect(txns.unresolvedByTopic()).toMatchObject([{ topic: TOPIC, unresolved: 2 }]);
    // The check count survived: one more check each (the maximum is 2), then the broker rolls them back.
    checks.length = 0;
    clock += 1000;
    await txns.tick();
    expect(checks.map((c) => c.messageId).sort()).toEqual(['M2', 'M4']);
    clock += 1000;
    await txns.tick();
    expect(txns.unresolvedByTopic()).toEqual([]);
    expect(checks).toHaveLength(2);

    await crash();
    txns = await open(dir.path);
    expect(txns.unresolvedByTopic()).toEqual([]);
    // Older resolutions are not remembered past a snapshot: either answer is INVALID_TRANSACTION_ID on the wire.
    expect((await txns.end(commit('M2', ids.get('M2') as string))).kind).toMatch(/^(already-resolved|unknown)$/);
    expect(await committed(store as MessageStore)).toEqual(['M0', 'M5', 'M3']);
    await txns.close();
  });

  it('commit what the producer never resolved when the broker is configured to give up by committing', async () => {
    dir = await tempDir();
    const txns = await open(dir.path, { giveUp: 'commit', maxChecks: 1 });
    const s = store as MessageStore;
    const input = txns.prepare(message(TOPIC, 0, 0, { messageId: 'G0', body: Buffer.from('given up') }), 'client-0');
    txns.stored([input], await s.appendAll([input]));
    checks.length = 0;
    clock += 1000;
    await txns.tick();
    expect(checks.map((c) => c.messageId)).toEqual(['G0']);
    expect(await committed(s)).toEqual([]);
    clock += 999;
    await txns.tick();
    expect(txns.unresolvedByTopic()).toHaveLength(1);
    clock += 1;
    await txns.tick();
    expect(txns.unresolvedByTopic()).toEqual([]);
    const read = await s.read(TOPIC, 0, 0n, { maxCount: 10, maxBytes: 1 << 20 });
    expect(read.kind === 'found' && read.messages.map((m) => [m.messageId, m.body.toString(), m.properties])).toEqual([
      ['G0', 'given up', { n: '0' }],
    ]);
    await txns.close();
  });

  it('forget a transaction whose resolution was being written when a snapshot replaced its journal', async () => {
    dir = await tempDir();
    let txns = await open(dir.path);
    const s = store as MessageStore;
    const input = txns.prepare(message(TOPIC, 0, 0, { messageId: 'R0' }), 'client-0');
    txns.stored([input], await s.appendAll([input]));
    const transactionId = input.properties['\u0001txnId'] as string;
    const ending = txns.end({ ...commit('R0', transactionId), resolution: 'rollback' });
    // The rollback's record is journaled but not yet written (writes go out on the next turn): snapshot now.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    await txns.tick();
    expect(await ending).toEqual({ kind: 'rolled-back' });

    await crash();
    txns = await open(dir.path);
    expect(txns.unresolvedByTopic()).toEqual([]);
    await txns.close();
  });
});
