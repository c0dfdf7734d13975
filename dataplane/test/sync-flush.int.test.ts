import { type TempDir, tempDir } from '@rocketry/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlushMode } from '../src/storage/commit-log.js';
import { RecordingFiles } from './support/recording-files.js';
import { message, openStore, testConfig } from './support/store.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

/** Appends from many concurrent writers; each ack is logged, at the moment it is observed, with its record's end. */
async function appendObserved(flush: FlushMode): Promise<RecordingFiles> {
  const files = new RecordingFiles();
  const store = await openStore(testConfig(dir.path, { flush, flushIntervalMs: 1000 }), { files });
  const writer = async (w: number) => {
    for (let n = 0; n < 150; n++) {
      const r = await store.append(message('sync', w % 4, w * 1000 + n, { body: Buffer.alloc((n * 37) % 3000) }));
      files.ack(Number(r.physicalOffset), r.size);
    }
  };
  await Promise.all(Array.from({ length: 32 }, (_, w) => writer(w)));
  await store.close();
  return files;
}

describe('sync flush at the file layer', () => {
  it('resolves every acknowledgement only after an fdatasync that covers the record’s last byte', async () => {
    const files = await appendObserved('sync');
    const acks = files.events.filter((e) => e.kind === 'ack').length;
    const syncs = files.events.filter((e) => e.kind === 'sync-done').length;
    expect(acks).toBe(32 * 150);
    expect(files.unsyncedAcks()).toEqual([]);
    // Group commit: concurrent appends share fdatasyncs.
    expect(syncs).toBeLessThan(acks / 4);
  });

  it('detects acknowledgements ahead of fdatasync (async mode, the control)', async () => {
    const files = await appendObserved('async');
    expect(files.unsyncedAcks().length).toBeGreaterThan(0);
  });
});
