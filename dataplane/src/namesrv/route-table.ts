import type { BrokerRegistration, BrokerRoute, LiveBroker } from './registration.js';

export interface RouteTableOptions {
  /** A broker not heard from for this long is gone. Brokers heartbeat every 10 s, so 30 s survives two lost beats. */
  readonly expiryMs?: number;
}

/** Two broker heartbeats (10 s each): a stopped broker leaves routes within two heartbeat periods. */
export const DEFAULT_EXPIRY_MS = 20_000;

export type RegisterResult =
  | { kind: 'registered'; expiresAt: number }
  | { kind: 'refreshed'; expiresAt: number }
  | { kind: 'moved'; expiresAt: number; previousEndpoint: string };

/**
 * Which brokers serve which topics: registrations keyed by broker name, each alive until `expiryMs` after its last
 * heartbeat. Pure: every call takes `now` (epoch ms) and nothing reads a clock, so expiry is tested without sleeping.
 * Reads ignore expired entries even before `expire()` sweeps them, so an answer never depends on sweep timing.
 */
export class RouteTable {
  readonly expiryMs: number;
  private readonly brokers = new Map<string, LiveBroker>();

  constructor(options: RouteTableOptions = {}) {
    this.expiryMs = options.expiryMs ?? DEFAULT_EXPIRY_MS;
    if (!(this.expiryMs > 0)) throw new RangeError(`expiryMs must be positive, got ${this.expiryMs}`);
  }

  /** Registers a broker or refreshes its heartbeat; the latest registration replaces its topics and endpoint. */
  register(registration: BrokerRegistration, now: number): RegisterResult {
    const previous = this.live(registration.brokerName, now);
    const expiresAt = now + this.expiryMs;
    this.brokers.set(registration.brokerName, {
      registration,
      registeredAt: previous?.registeredAt ?? now,
      heartbeatAt: now,
      expiresAt,
    });
    if (!previous) return { kind: 'registered', expiresAt };
    const previousEndpoint = previous.registration.endpoint;
    return previousEndpoint === registration.endpoint
      ? { kind: 'refreshed', expiresAt }
      : { kind: 'moved', expiresAt, previousEndpoint };
  }

  /** Removes a broker at once (graceful shutdown); false when it was not registered or had already expired. */
  unregister(brokerName: string, now: number): boolean {
    const alive = this.live(brokerName, now) !== undefined;
    this.brokers.delete(brokerName);
    return alive;
  }

  /**
   * Every live broker's queues of `topic`, each with that broker's own endpoint, ordered by broker group then broker
   * name (every name server and broker gives the same order). Empty when no live broker has the topic.
   */
  routesFor(topic: string, now: number): BrokerRoute[] {
    const routes: BrokerRoute[] = [];
    for (const broker of this.list(now)) {
      const { brokerName, brokerGroup, endpoint, topics } = broker.registration;
      const route = Object.hasOwn(topics, topic) ? topics[topic] : undefined;
      if (route) routes.push({ brokerName, brokerGroup, endpoint, ...route });
    }
    return routes;
  }

  /** The live brokers, in route order. */
  list(now: number): LiveBroker[] {
    return [...this.brokers.values()]
      .filter((b) => b.expiresAt > now)
      .sort((a, b) => compare(a.registration, b.registration));
  }

  /** Drops brokers whose heartbeat is older than the expiry; returns their names (for logs and metrics). */
  expire(now: number): string[] {
    const expired: string[] = [];
    for (const [name, broker] of this.brokers) {
      if (broker.expiresAt <= now) {
        this.brokers.delete(name);
        expired.push(name);
      }
    }
    return expired.sort();
  }

  private live(brokerName: string, now: number): LiveBroker | undefined {
    const broker = this.brokers.get(brokerName);
    return broker && broker.expiresAt > now ? broker : undefined;
  }
}

function compare(a: BrokerRegistration, b: BrokerRegistration): number {
  return cmp(a.brokerGroup, b.brokerGroup) || cmp(a.brokerName, b.brokerName);
}

/** Code-unit order, not locale order: the same on every machine. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
