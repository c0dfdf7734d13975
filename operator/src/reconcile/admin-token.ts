import { randomBytes } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { adminSecret } from '../render/admin-secret.js';
import type { ResolvedCluster } from '../render/resolve-cluster-spec.js';
import type { EventRecorder } from '../runtime/events.js';
import type { KubeClient } from '../runtime/kube-client.js';
import type { KubeObject } from '../runtime/kube-object.js';
import type { Cache } from '../runtime/reconciler.js';
import { SECRETS } from '../runtime/resources.js';

/** 24 random bytes, base64url: 32 characters (the broker needs 16 or more). */
export const newAdminToken = (): string => randomBytes(24).toString('base64url');

export function secretValue(secret: V1Secret | undefined, key: string): string | undefined {
  const data = secret?.data?.[key];
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  return secret?.stringData?.[key];
}

/**
 * The cluster's admin token. The operator's own Secret (`<cluster>-admin`) is created once with a random token and
 * never replaced (pods and the operator must keep agreeing on it); a Secret named by the spec is read as it is.
 * Undefined when the user's Secret or key is missing (the caller reports it).
 */
export async function adminToken(
  cluster: ResolvedCluster,
  owner: KubeObject,
  deps: { client: KubeClient; secrets: Cache<V1Secret>; events: EventRecorder },
): Promise<string | undefined> {
  const { secretName, key, managed } = cluster.adminToken;
  if (!managed) {
    return secretValue(await deps.client.get<V1Secret>(SECRETS, cluster.namespace, secretName), key);
  }
  let secret = deps.secrets.get(`${cluster.namespace}/${secretName}`);
  if (!secret) {
    const desired = adminSecret(cluster, newAdminToken());
    if (!desired) return undefined;
    try {
      secret = await deps.client.create(SECRETS, desired as KubeObject & V1Secret);
      deps.events.record(owner, 'Normal', 'AdminSecretCreated', `created Secret ${secretName} with a new admin token`);
    } catch (err) {
      // Created already (the cache is behind): read it, never overwrite it.
      secret = await deps.client.get<V1Secret>(SECRETS, cluster.namespace, secretName);
      if (!secret) throw err;
    }
  }
  return secretValue(secret, key);
}
