import type { V1Secret } from '@kubernetes/client-node';
import type { BrokerCluster } from '@rocketry/crds';
import type { BrokerAdminFactory } from '../broker-admin/broker-admin.js';
import type { ClusterObservation } from '../plan/cluster-status.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { SECRETS } from '../runtime/resources.js';
import { secretValue } from './admin-token.js';

type ExternalObservation = Extract<ClusterObservation, { mode: 'External' }>;

/**
 * External mode runs nothing: the status comes from probing each listed broker's admin API (`/healthz`, then its
 * write permission with the bearer token from `credentialsSecretRef`).
 */
export async function observeExternal(
  cr: BrokerCluster,
  deps: { client: KubeClient; brokerAdmin: BrokerAdminFactory },
): Promise<ExternalObservation['brokers']> {
  const namespace = cr.metadata.namespace ?? '';
  const brokers = cr.spec.external?.brokers ?? [];
  return Promise.all(
    brokers.map(async (b) => {
      let token: string | undefined;
      if (b.credentialsSecretRef) {
        const secret = await deps.client.get<V1Secret>(SECRETS, namespace, b.credentialsSecretRef.name);
        token = secretValue(secret, b.credentialsSecretRef.key);
      }
      const admin = deps.brokerAdmin(b.adminUrl, token);
      const reachable = await admin.healthy();
      const permission = reachable ? await admin.getPermission().catch(() => undefined) : undefined;
      return {
        name: b.name,
        reachable,
        adminUrl: b.adminUrl,
        ...(permission !== undefined && { writable: permission.write }),
      };
    }),
  );
}
