import type { KubeClient } from '../../runtime/kube-client.js';
import type { KubeObject } from '../../runtime/kube-object.js';
import { SECRETS } from '../../runtime/resources.js';
import type { TokenRef } from './cluster-target.js';

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/**
 * Admin tokens read from Secrets, kept for `ttlMs` so thousands of entity reconciles of one cluster read the Secret
 * once, not once each (concurrent reads share one request). A rotated token is picked up within `ttlMs`.
 */
export class TokenCache {
  private readonly entries = new Map<string, { at: number; value: Promise<string | undefined> }>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get(client: KubeClient, ref: TokenRef | undefined): Promise<string | undefined> {
    if (!ref) return Promise.resolve(undefined);
    const id = `${ref.namespace}/${ref.name}/${ref.key}`;
    const now = this.nowMs();
    const hit = this.entries.get(id);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = client.get<SecretObject>(SECRETS, ref.namespace, ref.name).then((secret) => {
      const data = secret?.data?.[ref.key];
      return data !== undefined ? Buffer.from(data, 'base64').toString('utf8') : secret?.stringData?.[ref.key];
    });
    this.entries.set(id, { at: now, value });
    value.catch(() => this.entries.delete(id));
    if (this.entries.size > 1024) {
      for (const [k, e] of this.entries) if (now - e.at >= this.ttlMs) this.entries.delete(k);
    }
    return value;
  }
}
