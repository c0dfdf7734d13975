import type { BrokerAdminFactory } from '../broker-admin/broker-admin.js';
import type { KubeObject } from '../runtime/kube-object.js';
import type { Reconciler } from '../runtime/reconciler.js';
import { brokerClusterReconciler } from './broker-cluster.js';
import { entityReconcilers } from './entities/index.js';

/** What the built-in reconcilers need from the operator's options. */
export interface ReconcilerDeps {
  readonly image: string;
  readonly brokerAdmin: BrokerAdminFactory;
  readonly podDisruptionBudgets: boolean;
  readonly clusterDomain: string;
  readonly rollReadyTimeoutMs?: number;
  readonly drainTimeoutMs?: number;
  readonly drainPollMs?: number;
  readonly pollMs?: number;
  /** How often External brokers are probed for status (30 s). */
  readonly externalPollMs?: number;
}

/** Every reconciler the operator runs. Add a kind's reconciler here (see src/runtime/README.md). */
export function builtInReconcilers(deps: ReconcilerDeps): Reconciler<KubeObject>[] {
  return [
    brokerClusterReconciler(deps) as unknown as Reconciler<KubeObject>,
    ...entityReconcilers({ brokerAdmin: deps.brokerAdmin }),
  ];
}
