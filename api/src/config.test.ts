import { describe, expect, it } from 'vitest';
import { ConfigError, parseApiConfig } from './config.js';

describe('parseApiConfig', () => {
  it('defaults to PGlite in ./.rocketry on port 8080', () => {
    const config = parseApiConfig([], {});
    expect(config).toMatchObject({ port: 8080, dataDir: './.rocketry' });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('takes DATABASE_URL and lets flags win over the environment', () => {
    const env = { DATABASE_URL: 'postgres://a@h/db', ROCKETRY_API_PORT: '9000' };
    expect(parseApiConfig([], env)).toMatchObject({ databaseUrl: 'postgres://a@h/db', port: 9000 });
    expect(parseApiConfig(['--database-url', 'postgresql://b@h/x', '--port', '1'], env)).toMatchObject({
      databaseUrl: 'postgresql://b@h/x',
      port: 1,
    });
  });

  it('accepts a bootstrap key of 16 or more printable characters only, without echoing it', () => {
    expect(parseApiConfig([], { ROCKETRY_BOOTSTRAP_KEY: 'x'.repeat(16) }).bootstrapKey).toBe('x'.repeat(16));
    expect(() => parseApiConfig([], { ROCKETRY_BOOTSTRAP_KEY: 'short-key' })).toThrow(/bootstrapKey: at least 16/);
    try {
      parseApiConfig([], { ROCKETRY_BOOTSTRAP_KEY: 'has a space in it!!' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).not.toContain('has a space');
    }
  });

  it('refuses unknown flags and bad values', () => {
    expect(() => parseApiConfig(['--nope'], {})).toThrow(ConfigError);
    expect(() => parseApiConfig(['--port', '70000'], {})).toThrow(/port/);
    expect(() => parseApiConfig(['--database-url', 'mysql://x'], {})).toThrow(/databaseUrl/);
  });
});
