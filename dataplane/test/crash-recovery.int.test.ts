import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@rocketry/testkit';
import { describe, expect, it } from 'vitest';
import type { MessageStore } from '../src/storage/message-store.js';
import type { StoredMessage } from '../src/storage/record-codec.js';
import { scanLog } from '../src/storage/recovery.js';
import { SegmentSet } from '../src/storage/segment-set.js';
import { nodeFiles } from '../src/storage/storage-file.js';
import { CRASH_QUEUES, CRASH_TOPIC, crashBody, crashMessage } from './support/crash-records.js';
import { openStore, testConfig } from './support/store.js';

const LONG = process.env.ROCKETRY_TEST_LONG === '1';
const child = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

interface Ack {
  w: number;
  n: number;
  queueId: number;
  queueOffset: bigint;
}

/** Runs the writer child, SIGKILLs it after `killAfterMs` of appending, and returns the acknowledged appends. */
async function runAndKill(dataDir: string, flush: string, round: number, killAfterMs: number): Promise<Ack[]> {
  const ackFile = join(dataDir, `acks-${round}.txt`);
  await new Promise<void>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, flush, '16', String(round), ackFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    proc.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}`))));
  });
  const lines = (await readFile(ackFile, 'utf8')).split('\n');
  lines.pop(); // the last line may be cut by the kill; its append was acknowledged but the record of it is torn
  return lines.map((line) => {
    const [w, n, q, qo] = line.split(' ');
    return { w: Number(w), n: Number(n), queueId: Number(q), queueOffset: BigInt(qo as string) };
  });
}

async function readQueue(store: MessageStore, queueId: number): Promise<StoredMessage[]> {
  const all: StoredMessage[] = [];
  let offset = store.queueOffsets(CRASH_TOPIC, queueId).min;
  for (;;) {
    const r = await store.read(CRASH_TOPIC, queueId, offset, { maxCount: 256, maxBytes: 4 << 20 });
    if (r.kind !== 'found') return all;
    all.push(...r.messages);
    offset = r.nextOffset;
  }
}

/** Everything visible is whole and where its queue says; every acknowledged append is visible and indexed. */
async function verify(dataDir: string, round: number, acks: readonly Ack[]): Promise<number> {
  const store = await openStore(testConfig(dataDir));
  try {
    const visible = new Map<string, StoredMessage>();
    for (let q = 0; q < CRASH_QUEUES; q++) {
      const messages = await readQueue(store, q);
      messages.forEach((m, i) => {
        expect(m.queueId).toBe(q);
        expect(m.queueOffset).toBe(BigInt(i));
        const w = Number(m.properties.w);
        const n = Number(m.properties.n);
        expect(m.body.equals(crashBody(w, n))).toBe(true);
        visible.set(m.messageId, m);
      });
    }
    for (const ack of acks) {
      const m = visible.get(`r${round}-w${ack.w}-n${ack.n}`);
      expect(m, `acknowledged r${round}-w${ack.w}-n${ack.n} is missing`).toBeDefined();
      expect(m?.queueOffset).toBe(ack.queueOffset);
    }
    for (const m of visible.values()) {
      if (!m.messageId.startsWith(`r${round}-`)) continue;
      const found = await store.lookupByMessageId(CRASH_TOPIC, m.messageId);
      expect(found.map((f) => f.physicalOffset)).toEqual([m.physicalOffset]);
    }
    // Every record in the commit log is in its consume queue, and nothing else is.
    const inLog = new Map<number, number>();
    const segments = await SegmentSet.open(join(dataDir, 'commitlog'), nodeFiles);
    try {
      await scanLog(segments, 0, { maxTornBytes: 0, repair: false }, (m) => {
        if (m.topic === CRASH_TOPIC) inLog.set(m.queueId, (inLog.get(m.queueId) ?? 0) + 1);
      });
    } finally {
      await segments.closeAll();
    }
    for (let q = 0; q < CRASH_QUEUES; q++) {
      expect(BigInt(inLog.get(q) ?? 0)).toBe(store.queueOffsets(CRASH_TOPIC, q).max);
    }
    // The store keeps working where the crash left it.
    // A kill right after start-up can leave a round with nothing visible: build the probe message afresh.
    const probe = crashMessage(round, 99, 0, crashBody(99, 0));
    await store.append({ ...probe, messageId: `after-crash-${round}` });
    return visible.size;
  } finally {
    await store.close();
  }
}

describe('crash recovery under SIGKILL', () => {
  for (const [flush, rounds] of [
    ['sync', LONG ? 60 : 20],
    ['async', LONG ? 30 : 6],
  ] as const) {
    it(`keeps every acknowledged append and stays consistent in ${flush} mode over ${rounds} random kills`, async () => {
      let acked = 0;
      // A fresh directory per series of 5 keeps verification time flat; within a series each round recovers the
      // history of the ones before. Some rounds kill just after start-up, most while appending.
      for (let first = 0; first < rounds; first += 5) {
        const dir = await tempDir('rocketry-crash-');
        try {
          for (let round = first; round < Math.min(first + 5, rounds); round++) {
            const killAfter = Math.floor(Math.random() * (round % 5 === 4 ? 30 : 600));
            const acks = await runAndKill(dir.path, flush, round, killAfter);
            acked += acks.length;
            await verify(dir.path, round, acks);
          }
        } finally {
          await dir.remove();
        }
      }
      expect(acked).toBeGreaterThan(rounds * 10);
    }, 300_000);
  }
});
