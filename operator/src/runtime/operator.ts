import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Backoff } from './backoff.js';
import { CacheSet } from './cache-set.js';
import { Controller } from './controller.js';
import { KubeEventRecorder } from './events.js';
import { startHttpServer } from './http-server.js';
import type { KubeClient } from './kube-client.js';
import type { KubeObject } from './kube-object.js';
import { type LeaderElectionOptions, LeaderElector } from './leader-election.js';
import { OperatorMetrics } from './metrics.js';
import type { Reconciler } from './reconciler.js';
import { WorkQueue } from './work-queue.js';

export interface RuntimeOptions {
  readonly client: KubeClient;
  readonly reconcilers: readonly Reconciler<KubeObject>[];
  readonly log: Logger;
  /** Only this namespace is watched; all namespaces when undefined. */
  readonly namespace?: string;
  readonly http: { readonly host: string; readonly port: number } | false;
  /** false: this instance reconciles at once (a single replica, or tests). */
  readonly leaderElection: Omit<LeaderElectionOptions, 'identity'> | false;
  readonly identity?: string;
  readonly resyncMs: number;
  readonly retryBackoff: Backoff;
  readonly watchBackoff: Backoff;
  readonly watchTimeoutSeconds: number;
  readonly now?: () => Date;
}

export interface OperatorHandle {
  /** The port /healthz, /readyz and /metrics are served on (0 when off). */
  readonly port: number;
  readonly identity: string;
  readonly metrics: OperatorMetrics;
  isLeader(): boolean;
  /** Stops reconciling (waits for reconciles in progress), releases the Lease, closes the HTTP server. */
  stop(options?: { releaseLease?: boolean }): Promise<void>;
}

/**
 * Wires the runtime: leader election → (on leading) informers + one controller per reconciler; (on losing) all of them
 * stopped and rebuilt fresh for the next term, so nothing carries over in memory (CRD_DESIGN.md §0.1).
 */
export async function startRuntime(options: RuntimeOptions): Promise<OperatorHandle> {
  const now = options.now ?? (() => new Date());
  const identity = options.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  const log = options.log;
  const metrics = new OperatorMetrics();
  const events = new KubeEventRecorder(options.client, log.child({ component: 'events' }), identity, now);
  let term: { caches: CacheSet; controllers: Controller<KubeObject>[] } | undefined;
  let transition: Promise<void> = Promise.resolve();
  let stopped = false;

  const startTerm = () => {
    const caches = new CacheSet(options.client, {
      ...(options.namespace !== undefined && { namespace: options.namespace }),
      backoff: options.watchBackoff,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      log: log.child({ component: 'informer' }),
    });
    const controllers = options.reconcilers.map(
      (r) =>
        new Controller(r, new WorkQueue(options.retryBackoff, () => now().getTime()), {
          client: options.client,
          caches,
          events,
          metrics,
          log: log.child({ component: 'reconciler' }),
          now,
          retryBackoff: options.retryBackoff,
          resyncMs: options.resyncMs,
        }),
    );
    caches.start();
    term = { caches, controllers };
    // Workers start once every cache has listed, so a reconcile never sees a half-filled cache (and prunes nothing).
    void caches.whenSynced().then(() => {
      if (term?.caches === caches) for (const c of controllers) c.start();
    });
    log.info({ reconcilers: options.reconcilers.map((r) => r.kind), namespace: options.namespace }, 'reconciling');
  };
  const stopTerm = async () => {
    const t = term;
    term = undefined;
    if (!t) return;
    await Promise.all(t.controllers.map((c) => c.stop()));
    await t.caches.stop();
  };

  let elector: LeaderElector | undefined;
  if (options.leaderElection) {
    elector = new LeaderElector(
      options.client,
      { ...options.leaderElection, identity },
      log.child({ component: 'leader-election' }),
      {
        onStartedLeading: () => {
          metrics.leader.set(1);
          transition = transition.then(() => (stopped ? undefined : startTerm()));
        },
        onStoppedLeading: () => {
          metrics.leader.set(0);
          transition = transition.then(stopTerm);
        },
      },
      now,
    );
    elector.start();
  } else {
    metrics.leader.set(1);
    startTerm();
  }

  const http = options.http
    ? await startHttpServer(
        options.http.host,
        options.http.port,
        {
          healthy: () => !stopped,
          ready: () => !stopped && (term === undefined || term.caches.synced),
        },
        metrics.registry,
      )
    : undefined;
  log.info({ identity, port: http?.port, leaderElection: options.leaderElection !== false }, 'operator started');

  return {
    port: http?.port ?? 0,
    identity,
    metrics,
    isLeader: () => (elector ? elector.isLeader : true),
    async stop({ releaseLease = true } = {}) {
      if (stopped) return;
      stopped = true;
      await elector?.stop();
      await transition;
      await stopTerm();
      metrics.leader.set(0);
      // Released only after the last reconcile finished, so two leaders never overlap.
      if (elector && releaseLease) await elector.release();
      await http?.close();
      log.info({ identity }, 'operator stopped');
    },
  };
}
