import { KubeConfig } from '@kubernetes/client-node';
import { KubeServer } from '@rocketry/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Informer } from '../src/runtime/informer.js';
import { KubeClient } from '../src/runtime/kube-client.js';
import type { KubeObject } from '../src/runtime/kube-object.js';
import { CONFIG_MAPS } from '../src/runtime/resources.js';
import { eventually, sleep, testLogger } from './support/harness.js';

let kube: KubeServer;
let client: KubeClient;
const informers: Informer<KubeObject>[] = [];
beforeEach(async () => {
  kube = await KubeServer.start();
  const kc = new KubeConfig();
  kc.loadFromOptions(kube.kubeConfigOptions());
  client = new KubeClient(kc);
});
afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
  await kube.stop();
});

const cm = (name: string, value = '1') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { value },
});

function start() {
  const informer = new Informer<KubeObject>(client, CONFIG_MAPS, {
    namespace: 'default',
    backoff: { initialMs: 20, maxMs: 200 },
    watchTimeoutSeconds: 60,
    log: testLogger(),
  });
  const seen: string[] = [];
  informer.on((type, obj) => seen.push(`${type} ${obj.metadata?.name}`));
  informer.start();
  informers.push(informer);
  return { informer, seen };
}

describe('Informer', () => {
  it('lists, then follows changes through its watch', async () => {
    await client.create(CONFIG_MAPS, cm('a'));
    const { informer, seen } = start();
    await informer.whenSynced();
    expect(seen).toContain('add a');
    await client.create(CONFIG_MAPS, cm('b'));
    await client.mergePatch(CONFIG_MAPS, 'default', 'a', { data: { value: '2' } });
    await client.delete(CONFIG_MAPS, 'default', 'b');
    await eventually(
      async () => seen.join(','),
      (s) => s.includes('delete b'),
      5_000,
    );
    expect(seen.filter((s) => s.endsWith(' a') || s.endsWith(' b'))).toEqual([
      'add a',
      'add b',
      'update a',
      'delete b',
    ]);
    expect((informer.get('default/a') as { data?: { value?: string } }).data?.value).toBe('2');
  });

  it('re-lists after 410 Gone and reports what changed while its watch was down', async () => {
    await client.create(CONFIG_MAPS, cm('keep'));
    await client.create(CONFIG_MAPS, cm('gone'));
    const { informer, seen } = start();
    await informer.whenSynced();
    const type = kube.store.registry.find('', 'v1', 'configmaps');
    if (!type) throw new Error('configmaps not served');
    await kube.faults.startOutage('refused');
    kube.store.delete(type, 'default', 'gone');
    kube.store.create(type, 'default', cm('new'));
    kube.compactHistory();
    await sleep(100);
    await kube.faults.endOutage();
    await eventually(
      async () => seen.join(','),
      (s) => s.includes('add new') && s.includes('delete gone'),
      5_000,
    );
    expect(informer.get('default/gone')).toBeUndefined();
    expect(informer.get('default/keep')).toBeDefined();
    const watches = kube.requests().filter((r) => r.verb === 'watch' && r.plural === 'configmaps');
    expect(watches.some((w) => w.code === 410 || w.code === 200)).toBe(true);
    const lists = kube.requests().filter((r) => r.verb === 'list' && r.plural === 'configmaps' && r.code === 200);
    expect(lists.length).toBe(2);
  });

  it('keeps retrying with backoff while the API is down and resumes without a re-list when history allows', async () => {
    const { informer, seen } = start();
    await informer.whenSynced();
    await kube.faults.startOutage('unavailable');
    await sleep(400);
    await kube.faults.endOutage();
    await client.create(CONFIG_MAPS, cm('after'));
    await eventually(
      async () => seen.join(','),
      (s) => s.includes('add after'),
      5_000,
    );
    const failed = kube.requests().filter((r) => r.path.includes('configmaps') && r.code === 503);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.length).toBeLessThan(15); // backoff, not a hot loop
    const lists = kube.requests().filter((r) => r.verb === 'list' && r.plural === 'configmaps' && r.code === 200);
    expect(lists.length).toBe(1);
  });
});
