import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from './temp-dir.js';

describe('tempDir', () => {
  it('creates a distinct directory per call and removes it with its contents', async () => {
    const a = await tempDir();
    const b = await tempDir();
    expect(a.path).not.toBe(b.path);
    expect(existsSync(a.path)).toBe(true);
    await a.remove();
    await b.remove();
    expect(existsSync(a.path)).toBe(false);
  });
});
