import { describe, expect, it } from 'vitest';
import { transition } from './txn-state.js';

describe('transaction state transitions', () => {
  it('resolves or moves a half message and goes back to half when the write fails', () => {
    expect(transition('half', 'resolving')).toBe('resolving');
    expect(transition('half', 'moving')).toBe('moving');
    expect(transition('resolving', 'half')).toBe('half');
    expect(transition('moving', 'half')).toBe('half');
  });

  it('refuses to resolve a message that is being moved or resolved', () => {
    expect(() => transition('moving', 'resolving')).toThrow(/moving -> resolving/);
    expect(() => transition('resolving', 'resolving')).toThrow();
    expect(() => transition('resolving', 'moving')).toThrow();
  });
});
