import { describe, expect, it } from 'vitest';
import { brokerDefaults, ConfigError, parseBrokerConfig } from './config.js';

const defaults = brokerDefaults;

describe('parseBrokerConfig', () => {
  it('takes flags over environment over defaults', () => {
    const config = parseBrokerConfig(
      ['--flush', 'sync'],
      { ROCKETRY_FLUSH: 'async', ROCKETRY_ADMIN_PORT: '9000' },
      defaults,
    );
    expect(config).toMatchObject({ flush: 'sync', adminPort: 9000, dataDir: './data' });
  });

  it('takes the segment size from --segment-mib and ROCKETRY_SEGMENT_MIB', () => {
    expect(parseBrokerConfig(['--segment-mib', '256'], {}, defaults).segmentMiB).toBe(256);
    expect(parseBrokerConfig([], { ROCKETRY_SEGMENT_MIB: '512' }, defaults).segmentMiB).toBe(512);
  });

  it('reads boolean flags from the environment', () => {
    expect(parseBrokerConfig([], { ROCKETRY_REPAIR: 'true' }, defaults).repair).toBe(true);
    expect(parseBrokerConfig(['--repair'], {}, defaults).repair).toBe(true);
  });

  it('names every bad setting', () => {
    expect(() => parseBrokerConfig(['--flush', 'never', '--retention-hours', '1000'], {}, defaults)).toThrow(
      /flush.*retentionHours|retentionHours.*flush/,
    );
  });

  it("reads the transaction check settings, with RocketMQ's defaults", () => {
    expect(parseBrokerConfig([], {}, defaults)).toMatchObject({
      txnCheckIntervalMs: 30_000,
      txnMaxChecks: 15,
      txnGiveUp: 'rollback',
      txnMaxUnresolved: 200_000,
    });
    const config = parseBrokerConfig(
      ['--txn-check-interval-ms', '2000', '--txn-give-up', 'commit'],
      { ROCKETRY_TXN_MAX_CHECKS: '3' },
      defaults,
    );
    expect(config).toMatchObject({ txnCheckIntervalMs: 2000, txnMaxChecks: 3, txnGiveUp: 'commit' });
    expect(() => parseBrokerConfig(['--txn-give-up', 'ignore'], {}, defaults)).toThrow(/txnGiveUp/);
    expect(() => parseBrokerConfig(['--txn-check-interval-ms', '10'], {}, defaults)).toThrow(/txnCheckIntervalMs/);
  });

  it('rejects unknown flags', () => {
    expect(() => parseBrokerConfig(['--nope'], {}, defaults)).toThrow(ConfigError);
  });
});
