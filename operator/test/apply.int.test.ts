import { KubeConfig } from '@kubernetes/client-node';
import { KubeServer } from '@rocketry/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyObject } from '../src/runtime/apply.js';
import { isConflict } from '../src/runtime/errors.js';
import { KubeClient } from '../src/runtime/kube-client.js';
import type { KubeObject } from '../src/runtime/kube-object.js';
import { CONFIG_MAPS, SERVICES } from '../src/runtime/resources.js';

let kube: KubeServer;
let client: KubeClient;
beforeEach(async () => {
  kube = await KubeServer.start();
  const kc = new KubeConfig();
  kc.loadFromOptions(kube.kubeConfigOptions());
  client = new KubeClient(kc);
});
afterEach(async () => {
  await kube.stop();
});

type Obj = KubeObject & { data?: Record<string, string>; spec?: unknown };
const service: Obj = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'svc', namespace: 'default', labels: { app: 'x' } },
  spec: { selector: { app: 'x' }, ports: [{ name: 'grpc', port: 8081 }] },
};
const configMap = (data: Record<string, string>): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cm', namespace: 'default' },
  data,
});

describe('applyObject', () => {
  it('creates, then writes nothing while the rendered fields match (server defaults and extra labels aside)', async () => {
    const created = await applyObject(client, service, undefined);
    expect(created.outcome).toBe('created');
    const current = await client.mergePatch<Obj>(SERVICES, 'default', 'svc', {
      metadata: { labels: { 'added-by': 'someone-else' } },
    });
    expect((await applyObject(client, service, current)).outcome).toBe('unchanged');
    expect(kube.writes({ resource: 'services' }).map((w) => w.verb)).toEqual(['create', 'patch']);
  });

  it('merge-patches what changed with the resourceVersion, and removes ConfigMap keys no longer rendered', async () => {
    const { object } = await applyObject(client, configMap({ A: '1', B: '2' }), undefined);
    const updated = await applyObject(client, configMap({ A: '3' }), object);
    expect(updated.outcome).toBe('updated');
    expect(updated.object.data).toEqual({ A: '3' });
    expect((await applyObject(client, configMap({ A: '3' }), updated.object)).outcome).toBe('unchanged');
    // A cached copy that is behind the server: 409, for the work queue to retry after the cache caught up.
    const stale = object;
    const err = await applyObject(client, configMap({ A: '4' }), stale).catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);
  });

  it('an object the cache did not know yet is read and compared instead of failing the create', async () => {
    await client.create(CONFIG_MAPS, configMap({ A: '1' }));
    const { outcome } = await applyObject(client, configMap({ A: '1' }), undefined);
    expect(outcome).toBe('unchanged');
  });
});
