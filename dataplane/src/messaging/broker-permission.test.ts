import { tempDir } from '@rocketry/testkit';
import { describe, expect, it } from 'vitest';
import { Code } from '../lib/errors.js';
import { BrokerPermission } from './broker-permission.js';

describe('BrokerPermission', () => {
  it('starts writable, refuses sends once read-only, tells listeners, and keeps the setting across a restart', async () => {
    const dir = await tempDir();
    try {
      const permission = await BrokerPermission.open(dir.path);
      expect(permission.writable).toBe(true);
      expect(() => permission.assertWritable()).not.toThrow();
      const seen: boolean[] = [];
      permission.onChange((w) => seen.push(w));
      await permission.set(false);
      expect(() => permission.assertWritable()).toThrow(expect.objectContaining({ code: Code.FORBIDDEN }));
      expect(seen).toEqual([false]);
      expect((await BrokerPermission.open(dir.path)).writable).toBe(false);
      await permission.set(true);
      expect((await BrokerPermission.open(dir.path)).writable).toBe(true);
    } finally {
      await dir.remove();
    }
  });
});
