import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TempDir, tempDir } from '@rocketry/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Code, DataplaneError } from '../lib/errors.js';
import { DEFAULT_GROUP_CONFIG, type GroupConfig, Groups, validateGroupName } from './groups.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.remove();
});

const fifoGroup: GroupConfig = {
  fifo: true,
  maxDeliveryAttempts: 5,
  retryPolicy: { type: 'exponential', initialMs: 2000, maxMs: 60_000, multiplier: 3 },
};

async function codeOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    if (!(err instanceof DataplaneError)) throw err;
    return err.code;
  }
}

describe('Groups', () => {
  it('keeps a group across a reopen in groups.json', async () => {
    const groups = await Groups.open(dir.path, { autoCreate: false });
    expect(await groups.put('orders', fifoGroup)).toEqual(fifoGroup);
    const reopened = await Groups.open(dir.path, { autoCreate: false });
    expect(reopened.get('orders')).toEqual(fifoGroup);
    expect(reopened.list()).toEqual([['orders', fifoGroup]]);
    const file = JSON.parse(await readFile(join(dir.path, 'groups.json'), 'utf8'));
    expect(file).toEqual({ version: 1, groups: { orders: fifoGroup } });
  });

  it('defaults to 17 deliveries (16 retries) and a 1 s to 10 s backoff doubling each time', () => {
    expect(DEFAULT_GROUP_CONFIG).toEqual({
      fifo: false,
      maxDeliveryAttempts: 17,
      retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
    });
  });

  it('auto-creates an unknown group with the defaults once, however many clients ask at the same time', async () => {
    const groups = await Groups.open(dir.path, { autoCreate: true });
    const answers = await Promise.all([groups.resolve('g1'), groups.resolve('g1'), groups.resolve('g1')]);
    expect(answers).toEqual([DEFAULT_GROUP_CONFIG, DEFAULT_GROUP_CONFIG, DEFAULT_GROUP_CONFIG]);
    expect((await Groups.open(dir.path, { autoCreate: false })).get('g1')).toEqual(DEFAULT_GROUP_CONFIG);
  });

  it('answers CONSUMER_GROUP_NOT_FOUND for an unknown group without auto-create, and the group when it exists', async () => {
    const groups = await Groups.open(dir.path, { autoCreate: false });
    expect(await codeOf(groups.resolve('missing'))).toBe(Code.CONSUMER_GROUP_NOT_FOUND);
    await groups.put('present', fifoGroup);
    expect(await groups.resolve('present')).toEqual(fifoGroup);
  });

  it('refuses illegal and reserved group names, even with auto-create', async () => {
    const groups = await Groups.open(dir.path, { autoCreate: true });
    for (const name of ['', 'a b', 'x'.repeat(256), '%RETRY%g', '%DLQ%g', '__sys_revive', 'CID_RMQ_SYS_x']) {
      expect(await codeOf(groups.resolve(name)), name).toBe(Code.ILLEGAL_CONSUMER_GROUP);
      expect(await codeOf(groups.put(name, DEFAULT_GROUP_CONFIG)), name).toBe(Code.ILLEGAL_CONSUMER_GROUP);
    }
    expect(() => validateGroupName(`g${'x'.repeat(254)}`)).not.toThrow();
    expect(() => validateGroupName('a|b%c_d-e')).not.toThrow();
    expect(groups.list()).toEqual([]);
  });

  it('refuses attempts and backoffs out of range, and a max backoff below the initial one', async () => {
    const groups = await Groups.open(dir.path, { autoCreate: false });
    const policy = DEFAULT_GROUP_CONFIG.retryPolicy;
    const bad: GroupConfig[] = [
      { ...DEFAULT_GROUP_CONFIG, maxDeliveryAttempts: 0 },
      { ...DEFAULT_GROUP_CONFIG, maxDeliveryAttempts: 1001 },
      { ...DEFAULT_GROUP_CONFIG, maxDeliveryAttempts: 2.5 },
      { ...DEFAULT_GROUP_CONFIG, retryPolicy: { ...policy, initialMs: 500 } },
      { ...DEFAULT_GROUP_CONFIG, retryPolicy: { ...policy, initialMs: 1500 } },
      { ...DEFAULT_GROUP_CONFIG, retryPolicy: { ...policy, maxMs: 3 * 3600_000 } },
      { ...DEFAULT_GROUP_CONFIG, retryPolicy: { ...policy, initialMs: 20_000, maxMs: 10_000 } },
      { ...DEFAULT_GROUP_CONFIG, retryPolicy: { ...policy, multiplier: 0.5 } },
      { ...DEFAULT_GROUP_CONFIG, retryPolicy: { ...policy, multiplier: 11 } },
    ];
    for (const config of bad) {
      expect(await codeOf(groups.put('g', config)), JSON.stringify(config)).toBe(Code.BAD_REQUEST);
    }
    expect(groups.get('g')).toBeUndefined();
    await groups.put('g', { ...DEFAULT_GROUP_CONFIG, maxDeliveryAttempts: 1 });
    expect(groups.get('g')?.maxDeliveryAttempts).toBe(1);
  });

  it('updates attempts and backoff but never whether the group is FIFO', async () => {
    const groups = await Groups.open(dir.path, { autoCreate: false });
    await groups.put('g', fifoGroup);
    await groups.put('g', { ...fifoGroup, maxDeliveryAttempts: 9 });
    expect(groups.get('g')?.maxDeliveryAttempts).toBe(9);
    expect(await codeOf(groups.put('g', { ...fifoGroup, fifo: false }))).toBe(Code.BAD_REQUEST);
    expect(groups.get('g')?.fifo).toBe(true);
  });

  it('deletes a group, answering false for one that does not exist', async () => {
    const groups = await Groups.open(dir.path, { autoCreate: false });
    await groups.put('g', fifoGroup);
    expect(await groups.delete('g')).toBe(true);
    expect(await groups.delete('g')).toBe(false);
    expect((await Groups.open(dir.path, { autoCreate: false })).list()).toEqual([]);
  });
});
