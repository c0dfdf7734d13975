import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { Registrar } from './registrar.js';
import type { BrokerRegistration } from './registration.js';
import type { RegistrationTarget } from './route-source.js';

const log = pino({ level: 'silent' });
const registration: BrokerRegistration = { brokerName: 'b', brokerGroup: 'g', endpoint: '127.0.0.1:8081', topics: {} };

/** Records calls; fails while `down` is set. */
class RecordingTarget implements RegistrationTarget {
  readonly calls: string[] = [];
  down = false;
  async register(r: BrokerRegistration): Promise<void> {
    this.calls.push(`register ${r.brokerName}`);
    if (this.down) throw new Error('connection refused');
  }
  async unregister(name: string): Promise<void> {
    this.calls.push(`unregister ${name}`);
    if (this.down) throw new Error('connection refused');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Registrar', () => {
  it('registers at start, heartbeats on its interval and unregisters on stop', async () => {
    const target = new RecordingTarget();
    const registrar = new Registrar({ target, registration: () => registration, intervalMs: 20, log });
    await registrar.start();
    expect(registrar.registered).toBe(true);
    await vi.waitFor(() => expect(target.calls.filter((c) => c === 'register b').length).toBeGreaterThanOrEqual(3));
    await registrar.stop();
    expect(target.calls.at(-1)).toBe('unregister b');
    expect(registrar.registered).toBe(false);
  });

  it('keeps heartbeating through failures without throwing, and recovers', async () => {
    const target = new RecordingTarget();
    target.down = true;
    let reads = 0;
    const registrar = new Registrar({
      target,
      registration: () => {
        reads += 1;
        if (reads === 2) throw new Error('topics unavailable');
        return registration;
      },
      intervalMs: 10,
      log,
    });
    await registrar.start();
    expect(registrar.registered).toBe(false);
    await vi.waitFor(() => expect(reads).toBeGreaterThanOrEqual(3));
    target.down = false;
    await vi.waitFor(() => expect(registrar.registered).toBe(true));
    target.down = true;
    await registrar.stop();
    expect(target.calls.at(-1)).toBe('unregister b');
  });

  it('leaves the registration to expire when stopped without unregister', async () => {
    const target = new RecordingTarget();
    const registrar = new Registrar({ target, registration: () => registration, intervalMs: 10, log });
    await registrar.start();
    await registrar.stop({ unregister: false });
    const count = target.calls.length;
    await sleep(30);
    expect(target.calls).toHaveLength(count);
    expect(target.calls).not.toContain('unregister b');
  });

  it('cannot be started twice', async () => {
    const registrar = new Registrar({ target: new RecordingTarget(), registration: () => registration, log });
    await registrar.start();
    await expect(registrar.start()).rejects.toThrow('registrar running -> running');
    await registrar.stop();
  });
});
