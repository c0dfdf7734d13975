import type { Clock } from '../lib/clock.js';
import type { NameServerClient } from './namesrv-client.js';
import type { BrokerRegistration, BrokerRoute } from './registration.js';
import type { RouteTable } from './route-table.js';

/** Where a broker's QueryRoute learns which brokers serve a topic. Empty: no live broker has it. */
export interface RouteSource {
  routesFor(topic: string): Promise<BrokerRoute[]>;
}

/** What a Registrar heartbeats to: the HTTP name server (NameServerClient) or the embedded table. */
export interface RegistrationTarget {
  register(registration: BrokerRegistration): Promise<unknown>;
  unregister(brokerName: string): Promise<unknown>;
}

/**
 * Standalone mode: an in-process route table fed by the local broker's own Registrar. Opens no port, so several
 * standalone brokers can run side by side; each routes only to itself.
 */
export class EmbeddedRouteSource implements RouteSource, RegistrationTarget {
  constructor(
    readonly table: RouteTable,
    private readonly clock: Clock,
  ) {}

  async register(registration: BrokerRegistration): Promise<void> {
    this.table.register(registration, this.clock.now());
  }

  async unregister(brokerName: string): Promise<void> {
    this.table.unregister(brokerName, this.clock.now());
  }

  async routesFor(topic: string): Promise<BrokerRoute[]> {
    return this.table.routesFor(topic, this.clock.now());
  }
}

export interface RemoteRouteSourceOptions {
  /** How long an answer (empty ones included) is reused. Clients re-query every 30 s, so this bounds name server load. */
  readonly cacheMs?: number;
  /** When the name server fails, an answer younger than this is served instead of an error. */
  readonly staleIfErrorMs?: number;
  /** Topics remembered at most; the oldest answer is dropped first. */
  readonly maxTopics?: number;
}

interface CachedRoutes {
  readonly routes: BrokerRoute[];
  readonly fetchedAt: number;
}

/**
 * Routes from the name server over HTTP, with a short per-topic cache and one request in flight per topic. A failed
 * lookup rejects (DataplaneError from the client) unless a recent enough answer can stand in for it.
 */
export class RemoteRouteSource implements RouteSource {
  private readonly cache = new Map<string, CachedRoutes>();
  private readonly inFlight = new Map<string, Promise<BrokerRoute[]>>();
  private readonly cacheMs: number;
  private readonly staleIfErrorMs: number;
  private readonly maxTopics: number;

  constructor(
    private readonly client: Pick<NameServerClient, 'routes'>,
    private readonly clock: Clock,
    options: RemoteRouteSourceOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 1000;
    this.staleIfErrorMs = Math.max(this.cacheMs, options.staleIfErrorMs ?? 30_000);
    this.maxTopics = options.maxTopics ?? 10_000;
  }

  routesFor(topic: string): Promise<BrokerRoute[]> {
    const cached = this.cache.get(topic);
    if (cached && this.clock.now() - cached.fetchedAt < this.cacheMs) return Promise.resolve(cached.routes);
    let pending = this.inFlight.get(topic);
    if (!pending) {
      pending = this.fetch(topic).finally(() => this.inFlight.delete(topic));
      this.inFlight.set(topic, pending);
    }
    return pending;
  }

  /** Forgets a topic's answer, e.g. after the local broker created the topic and re-registered. */
  invalidate(topic: string): void {
    this.cache.delete(topic);
  }

  private async fetch(topic: string): Promise<BrokerRoute[]> {
    try {
      const routes = await this.client.routes(topic);
      this.remember(topic, { routes, fetchedAt: this.clock.now() });
      return routes;
    } catch (err) {
      const cached = this.cache.get(topic);
      if (cached && this.clock.now() - cached.fetchedAt < this.staleIfErrorMs) return cached.routes;
      throw err;
    }
  }

  private remember(topic: string, entry: CachedRoutes): void {
    this.cache.delete(topic);
    this.cache.set(topic, entry);
    if (this.cache.size > this.maxTopics) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
  }
}
