import { describe, expect, it } from 'vitest';
import { bearerToken, newToken, tokenHmac } from './api-key-token.js';

describe('API key tokens', () => {
  it('are long random strings with a recognisable prefix', () => {
    const a = newToken();
    expect(a).toMatch(/^rky_[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(a);
  });

  it('hash deterministically per pepper and differently across peppers', () => {
    expect(tokenHmac('p1p1p1p1p1p1p1p1', 'rky_x')).toBe(tokenHmac('p1p1p1p1p1p1p1p1', 'rky_x'));
    expect(tokenHmac('p1p1p1p1p1p1p1p1', 'rky_x')).not.toBe(tokenHmac('p2p2p2p2p2p2p2p2', 'rky_x'));
    expect(tokenHmac('p', 'rky_x')).not.toContain('rky_x');
  });

  it('reads bearer tokens and nothing else', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
