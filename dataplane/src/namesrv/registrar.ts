import type { Logger } from 'pino';
import { Code, DataplaneError } from '../lib/errors.js';
import type { BrokerRegistration } from './registration.js';
import type { RegistrationTarget } from './route-source.js';

export type RegistrarState = 'idle' | 'running' | 'stopping' | 'stopped';
const NEXT: Record<RegistrarState, readonly RegistrarState[]> = {
  idle: ['running', 'stopped'],
  running: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export interface RegistrarOptions {
  readonly target: RegistrationTarget;
  /** Read at every heartbeat, so topics, queues and permission changes reach routes within one interval. */
  readonly registration: () => BrokerRegistration;
  /** Default 10 s (a third of the name server's default 30 s expiry). */
  readonly intervalMs?: number;
  readonly log: Logger;
}

/**
 * Keeps the local broker registered: one heartbeat at start, then one every `intervalMs`, never two at once.
 * Failures are logged (warn) and retried at the next beat; nothing is thrown out of the timer.
 */
export class Registrar {
  private state: RegistrarState = 'idle';
  private health: 'unknown' | 'registered' | 'failing' = 'unknown';
  private timer: NodeJS.Timeout | undefined;
  /** Heartbeats run one after another through this chain; it never rejects. */
  private chain: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;

  constructor(private readonly options: RegistrarOptions) {
    this.intervalMs = options.intervalMs ?? 10_000;
    if (!(this.intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${this.intervalMs}`);
  }

  /** True once the last heartbeat succeeded (what /readyz can wait for). */
  get registered(): boolean {
    return this.health === 'registered';
  }

  /** Sends the first heartbeat and starts the timer; resolves after that first attempt, whether or not it succeeded. */
  async start(): Promise<void> {
    this.transition('running');
    await this.sync();
    this.schedule();
  }

  /** Heartbeats now (after any beat in flight), e.g. when a topic was just created; never rejects. */
  sync(): Promise<void> {
    this.chain = this.chain.then(() => this.beat());
    return this.chain;
  }

  /**
   * Stops heartbeating. With `unregister` (the default) the broker leaves routes at once; without, it lingers until
   * the name server's expiry, as after a crash.
   */
  async stop(options: { unregister?: boolean } = {}): Promise<void> {
    if (this.state === 'idle') {
      this.transition('stopped');
      return;
    }
    if (this.state !== 'running') return;
    this.transition('stopping');
    clearTimeout(this.timer);
    await this.chain;
    if (options.unregister ?? true) await this.unregister();
    this.transition('stopped');
  }

  private schedule(): void {
    if (this.state !== 'running') return;
    this.timer = setTimeout(() => {
      void this.sync().then(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    if (this.state !== 'running') return;
    const { log } = this.options;
    try {
      const registration = this.options.registration();
      await this.options.target.register(registration);
      if (this.health !== 'registered') {
        log.info(
          { brokerName: registration.brokerName, endpoint: registration.endpoint },
          'registered with name server',
        );
      }
      this.health = 'registered';
    } catch (err) {
      log.warn({ err }, 'name server heartbeat failed');
      this.health = 'failing';
    }
  }

  private async unregister(): Promise<void> {
    const { log } = this.options;
    try {
      const { brokerName } = this.options.registration();
      await this.options.target.unregister(brokerName);
      log.info({ brokerName }, 'unregistered from name server');
    } catch (err) {
      log.warn({ err }, 'name server unregister failed');
    }
    this.health = 'unknown';
  }

  private transition(to: RegistrarState): void {
    if (!NEXT[this.state].includes(to))
      throw new DataplaneError(Code.INTERNAL_ERROR, `registrar ${this.state} -> ${to}`);
    this.state = to;
  }
}
