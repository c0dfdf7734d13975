import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@rocketry/testkit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PopJournal } from './pop-journal.js';
import { PopStates } from './pop-states.js';

const log = pino({ level: 'silent' });

describe('PopJournal with PopStates', () => {
  it('replays resets, acks and attempts after a restart, and cuts a torn tail off', async () => {
    const dir = await tempDir();
    try {
      const first = await PopJournal.open(dir.path, true, log);
      const states = new PopStates(first.journal);
      const { subscription } = states.getOrCreate('g', 't');
      const queue = states.journalReset(subscription, 3, 100);
      queue.claimNew(5, 200, 1000);
      states.journalAck(subscription, 3, 101);
      states.journalAttempt(subscription, 3, 100, 4);
      await states.durable();
      await first.journal.close();
      const logs = (await readdir(join(dir.path, 'pop'))).filter((n) => n.endsWith('.log'));
      await appendFile(join(dir.path, 'pop', logs.at(-1) as string), Buffer.from([40, 0, 0, 0, 1, 2, 3]));

      const second = await PopJournal.open(dir.path, true, log);
      const replayed = new PopStates(second.journal);
      replayed.replay(second.replay);
      const state = replayed.get('g', 't')?.queues.get(3);
      // 100 outstanding (4 deliveries so far), 101 acked; nothing past 101 was journaled, so it counts as never claimed.
      expect(state?.committed).toBe(100);
      expect(state?.cursor).toBe(102);
      expect([...(state?.unacked ?? [])].map(([o, e]) => [o, e.attempt])).toEqual([[100, 4]]);
      await second.journal.close();
    } finally {
      await dir.remove();
    }
  });

  it('rotates to a snapshot plus a fresh log and replays the same state from them', async () => {
    const dir = await tempDir();
    try {
      const first = await PopJournal.open(dir.path, false, log);
      const states = new PopStates(first.journal);
      const { subscription } = states.getOrCreate('g', 't');
      const queue = states.journalReset(subscription, 0, 0);
      queue.claimNew(10, 10, 100);
      for (const offset of [0, 1, 2, 5]) states.journalAck(subscription, 0, offset);
      await first.journal.rotate(states.snapshot());
      states.journalAck(subscription, 0, 3);
      await first.journal.close();
      const files = await readdir(join(dir.path, 'pop'));
      expect(files.filter((n) => n.endsWith('.log'))).toHaveLength(1);
      const snapshot = JSON.parse(await readFile(join(dir.path, 'pop', 'snapshot.json'), 'utf8'));
      expect(snapshot.queues[0]).toMatchObject({ committed: 3, cursor: 10 });

      const second = await PopJournal.open(dir.path, false, log);
      const replayed = new PopStates(second.journal);
      replayed.replay(second.replay);
      const state = replayed.get('g', 't')?.queues.get(0);
      expect(state?.committed).toBe(4);
      expect([...(state?.unacked.keys() ?? [])]).toEqual([4, 6, 7, 8, 9]);
      await second.journal.close();
    } finally {
      await dir.remove();
    }
  });

  it('refuses to start from a snapshot that fails its schema, naming the file', async () => {
    const dir = await tempDir();
    try {
      const { journal } = await PopJournal.open(dir.path, false, log);
      await journal.close();
      await writeFile(join(dir.path, 'pop', 'snapshot.json'), '{"version":1,"journal":"x"}');
      await expect(PopJournal.open(dir.path, false, log)).rejects.toThrow(/snapshot\.json is invalid/);
    } finally {
      await dir.remove();
    }
  });
});
