import { KubeConfig } from '@kubernetes/client-node';
import { type Logger, pino } from 'pino';
import type { BrokerAdminFactory } from '../broker-admin/broker-admin.js';
import { httpBrokerAdmin } from '../broker-admin/http-broker-admin.js';
import { builtInReconcilers } from '../reconcile/index.js';
import type { Backoff } from './backoff.js';
import { KubeClient } from './kube-client.js';
import type { KubeObject } from './kube-object.js';
import type { OperatorHandle } from './operator.js';
import { startRuntime } from './operator.js';
import type { Reconciler } from './reconciler.js';

export { applyObject, isSubset, writeStatus } from './apply.js';
export type { Backoff } from './backoff.js';
export { isConflict, isNotFound, KubeApiError, TerminalError } from './errors.js';
export type { EventRecorder, EventType } from './events.js';
export { KubeClient } from './kube-client.js';
export * from './kube-object.js';
export type { OperatorHandle } from './operator.js';
export type { Cache, ReconcileContext, ReconcileResult, Reconciler, Watched } from './reconciler.js';
export * from './resources.js';

export const DEFAULT_PORT = 8090;
export const DEFAULT_LEASE_NAME = 'rocketry-operator';

export interface OperatorOptions {
  /** Path of a kubeconfig file; else in-cluster config or `$KUBECONFIG`/`~/.kube/config` (client-node's default). */
  readonly kubeconfig?: string;
  /** An already loaded KubeConfig (tests), instead of `kubeconfig`. */
  readonly kubeConfig?: KubeConfig;
  /** Watch one namespace only; all namespaces when omitted. */
  readonly namespace?: string;
  /** /healthz, /readyz, /metrics; default 8090 on 0.0.0.0; `false` for none. */
  readonly http?: { readonly host?: string; readonly port?: number } | false;
  /** Lease-based leader election (default on, Lease `rocketry-operator` in `leaseNamespace`). */
  readonly leaderElection?:
    | false
    | {
        readonly leaseName?: string;
        /** Default: `namespace`, else `default`. */
        readonly leaseNamespace?: string;
        readonly leaseDurationMs?: number;
        readonly renewDeadlineMs?: number;
        readonly retryPeriodMs?: number;
      };
  readonly identity?: string;
  /** Every object is reconciled again this often (drift correction); default 5 min. */
  readonly resyncMs?: number;
  /** Backoff of failed reconciles (per key); default 500 ms doubling to 5 min. */
  readonly retryBackoff?: Backoff;
  /** Backoff of failed list/watch; default 500 ms doubling to 30 s. */
  readonly watchBackoff?: Backoff;
  readonly logger?: Logger;
  /** Level of the default logger (pino JSON on stdout) when no `logger` is given; default `info`. */
  readonly logLevel?: string;
  /** The rocketry image pods run when a BrokerCluster names none. */
  readonly image?: string;
  /** How the operator reaches brokers' admin APIs; HTTP by default. */
  readonly brokerAdmin?: BrokerAdminFactory;
  /** Render PodDisruptionBudgets (default true). */
  readonly podDisruptionBudgets?: boolean;
  readonly clusterDomain?: string;
  /** Broker-cluster timing knobs (tests shorten them). */
  readonly brokerCluster?: {
    readonly rollReadyTimeoutMs?: number;
    readonly drainTimeoutMs?: number;
    readonly drainPollMs?: number;
    readonly pollMs?: number;
    readonly externalPollMs?: number;
  };
  /** Replaces the built-in reconcilers (tests of the runtime itself). */
  readonly reconcilers?: readonly Reconciler<KubeObject>[];
  /**
   * SIGTERM/SIGINT stop the operator gracefully (reconciles in progress finish, the Lease is released), then the
   * process exits. Default true; embedders that own the process's signals pass false.
   */
  readonly handleSignals?: boolean;
  readonly now?: () => Date;
}

export const DEFAULT_IMAGE = 'ghcr.io/rocketry/rocketry:0.1.0';

/**
 * Starts the operator: leader election, then informers and the reconcilers of every kind, plus the HTTP endpoints.
 * Resolves once the HTTP server listens; reconciling starts when the Lease is won.
 */
export async function runOperator(options: OperatorOptions = {}): Promise<OperatorHandle> {
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info', base: { component: 'operator' } });
  let kc = options.kubeConfig;
  if (!kc) {
    kc = new KubeConfig();
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  }
  const client = new KubeClient(kc);
  const now = options.now ?? (() => new Date());
  const reconcilers =
    options.reconcilers ??
    builtInReconcilers({
      image: options.image ?? DEFAULT_IMAGE,
      brokerAdmin: options.brokerAdmin ?? httpBrokerAdmin(),
      podDisruptionBudgets: options.podDisruptionBudgets ?? true,
      clusterDomain: options.clusterDomain ?? 'cluster.local',
      ...options.brokerCluster,
    });
  const le = options.leaderElection;
  const handle = await startRuntime({
    client,
    reconcilers,
    log,
    ...(options.namespace !== undefined && { namespace: options.namespace }),
    http:
      options.http === false
        ? false
        : { host: options.http?.host ?? '0.0.0.0', port: options.http?.port ?? DEFAULT_PORT },
    leaderElection:
      le === false
        ? false
        : {
            name: le?.leaseName ?? DEFAULT_LEASE_NAME,
            namespace: le?.leaseNamespace ?? options.namespace ?? 'default',
            leaseDurationMs: le?.leaseDurationMs ?? 15_000,
            renewDeadlineMs: le?.renewDeadlineMs ?? 10_000,
            retryPeriodMs: le?.retryPeriodMs ?? 2_000,
          },
    ...(options.identity !== undefined && { identity: options.identity }),
    resyncMs: options.resyncMs ?? 5 * 60_000,
    retryBackoff: options.retryBackoff ?? { initialMs: 500, maxMs: 5 * 60_000 },
    watchBackoff: options.watchBackoff ?? { initialMs: 500, maxMs: 30_000 },
    watchTimeoutSeconds: 300 + Math.floor(Math.random() * 300),
    now,
  });
  if (options.handleSignals === false) return handle;
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping');
    handle.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return {
    ...handle,
    isLeader: () => handle.isLeader(),
    async stop(stopOptions) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await handle.stop(stopOptions);
    },
  };
}
