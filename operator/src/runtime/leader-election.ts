import type { Logger } from 'pino';
import { delay } from './backoff.js';
import { isAlreadyExists, isConflict } from './errors.js';
import type { KubeClient } from './kube-client.js';
import { LEASES } from './resources.js';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** How long a Lease holds without renewal (client-go default 15 s). */
  readonly leaseDurationMs: number;
  /** The leader gives up if it could not renew for this long (10 s); must be below the lease duration. */
  readonly renewDeadlineMs: number;
  /** Between attempts to acquire or renew (2 s). */
  readonly retryPeriodMs: number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** `MicroTime`: RFC 3339 with microseconds. */
const microTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

/**
 * client-go's leader election on a coordination.k8s.io/v1 Lease. A candidate takes the Lease when it is free
 * (no holder: released) or when its record has not changed for the holder's `leaseDurationSeconds` as measured on the
 * candidate's own clock (so clock skew between nodes does not matter); the leader renews every `retryPeriodMs` and
 * steps down when renewals fail for `renewDeadlineMs`. Every write is a PUT with the resourceVersion read, so two
 * candidates never both win. `release()` after `stop()` clears the holder so a standby takes over at once.
 */
export class LeaderElector {
  private readonly abort = new AbortController();
  private leading = false;
  private lastRenewMs = 0;
  private observed: { record: string; atMs: number } | undefined;
  private loop: Promise<void> | undefined;
  private current: Lease | undefined;
  private releasable = false;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
    private readonly callbacks: { onStartedLeading(): void; onStoppedLeading(): void },
    private readonly now: () => Date = () => new Date(),
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops campaigning and renewing (the Lease stays held until it expires, unless `release()` follows). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.releasable = this.leading;
    this.leading = false;
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      let renewed = false;
      try {
        renewed = await this.tryAcquireOrRenew();
      } catch (err) {
        this.log.warn({ err }, 'lease not acquired or renewed');
      }
      if (signal.aborted) break;
      const nowMs = this.now().getTime();
      if (renewed) {
        this.lastRenewMs = nowMs;
        if (!this.leading) {
          this.leading = true;
          this.log.info({ lease: this.options.name, identity: this.options.identity }, 'became leader');
          this.callbacks.onStartedLeading();
        }
      } else if (this.leading && nowMs - this.lastRenewMs >= this.options.renewDeadlineMs) {
        this.leading = false;
        this.log.warn({ lease: this.options.name }, 'lost leadership');
        this.callbacks.onStoppedLeading();
      }
      await delay(this.options.retryPeriodMs, signal);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationMs } = this.options;
    const now = this.now();
    const durationSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
    const lease = await this.client.get<Lease>(LEASES, namespace, name);
    if (!lease) {
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      };
      try {
        this.current = await this.client.create(LEASES, fresh);
        return true;
      } catch (err) {
        if (isAlreadyExists(err)) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = JSON.stringify([holder, spec.renewTime, spec.leaseTransitions]);
    if (this.observed?.record !== record) this.observed = { record, atMs: now.getTime() };
    if (holder !== '' && holder !== identity) {
      const heldMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (this.observed.atMs + heldMs > now.getTime()) return false;
      this.log.info({ previous: holder }, 'lease expired; taking it');
    }
    const mine = holder === identity;
    const next: Lease = {
      ...lease,
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    };
    try {
      this.current = await this.client.replace(LEASES, next);
      this.observed = undefined;
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** Clears the holder so a standby takes over at once (after `stop()`). */
  async release(): Promise<void> {
    const lease = this.current;
    if (!lease || !this.releasable) return;
    try {
      await this.client.replace(LEASES, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
      });
      this.log.info({ lease: this.options.name }, 'lease released');
    } catch (err) {
      this.log.warn({ err }, 'lease not released; standbys take over when it expires');
    }
  }
}
