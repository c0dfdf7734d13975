import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@rocketry/testkit';
import { describe, expect, it } from 'vitest';
import { ConsumerOffsets } from './consumer-offsets.js';

describe('ConsumerOffsets', () => {
  it('persists committed offsets atomically and reads them back after reopen', async () => {
    const dir = await tempDir();
    try {
      const offsets = await ConsumerOffsets.open(dir.path);
      offsets.commit('g1', 'orders', 3, 42n);
      offsets.commit('g1', 'orders', 3, 43n);
      offsets.commit('g2', '%RETRY%g2', 0, 2n ** 60n);
      await offsets.flush();
      const reopened = await ConsumerOffsets.open(dir.path);
      expect(reopened.get('g1', 'orders', 3)).toBe(43n);
      expect(reopened.get('g2', '%RETRY%g2', 0)).toBe(2n ** 60n);
      expect(reopened.get('g1', 'orders', 4)).toBeUndefined();
    } finally {
      await dir.remove();
    }
  });

  it('ignores a temp file a crash left mid-write and keeps the last complete version', async () => {
    const dir = await tempDir();
    try {
      const offsets = await ConsumerOffsets.open(dir.path);
      offsets.commit('g', 't', 0, 7n);
      await offsets.flush();
      await writeFile(join(dir.path, 'consumer-offsets.json.tmp'), '{"version":1,"offs');
      expect((await ConsumerOffsets.open(dir.path)).get('g', 't', 0)).toBe(7n);
    } finally {
      await dir.remove();
    }
  });

  it('refuses a hand-edited invalid file, naming it and the bad field', async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'consumer-offsets.json');
      await writeFile(path, JSON.stringify({ version: 1, offsets: { g: { t: { '0': 'minus one' } } } }));
      await expect(ConsumerOffsets.open(dir.path)).rejects.toThrow(`metadata file ${path} is invalid at offsets.g.t.0`);
      expect(await readFile(path, 'utf8')).toContain('minus one');
    } finally {
      await dir.remove();
    }
  });
});
