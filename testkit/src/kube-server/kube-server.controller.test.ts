import { ApiException, makeInformer, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clients, eventually, startWithClients, suffix, topicCrd } from './test-support.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Topic {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string; generation: number };
  spec: { queues: number };
  status?: { observedGeneration?: number };
}

/**
 * The shape of a level-based reconciler on client-node, run end to end against the server: an informer feeds keys,
 * each reconcile renders an owned ConfigMap and writes status, and 409s are retried.
 */
describe('a small controller against KubeServer', () => {
  let c: Clients;
  let ns: string;
  const ref = () => ({ group: 'rocketry.io', version: 'v1alpha1', namespace: ns, plural: 'topics' });
  beforeEach(async () => {
    c = await startWithClients();
    ns = `t-${suffix()}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    await c.extensions.createCustomResourceDefinition({ body: topicCrd() });
  });
  afterEach(() => c.server.stop());

  async function reconcile(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const topic = (await c.custom.getNamespacedCustomObject({ ...ref(), name })) as Topic;
        if (topic.status?.observedGeneration === topic.metadata.generation) return;
        const body = {
          metadata: {
            name: `topic-${name}`,
            ownerReferences: [
              { apiVersion: topic.apiVersion, kind: topic.kind, name, uid: topic.metadata.uid, controller: true },
            ],
          },
          data: { queues: String(topic.spec.queues) },
        };
        await c.core.createNamespacedConfigMap({ namespace: ns, body }).catch(async (err: unknown) => {
          if (!(err instanceof ApiException) || err.code !== 409) throw err;
          await c.core.patchNamespacedConfigMap(
            { namespace: ns, name: `topic-${name}`, body: { data: body.data } },
            merge,
          );
        });
        await c.custom.patchNamespacedCustomObjectStatus(
          { ...ref(), name, body: { status: { observedGeneration: topic.metadata.generation } } },
          merge,
        );
        return;
      } catch (err) {
        if (!(err instanceof ApiException) || err.code !== 409 || attempt > 5) throw err;
      }
    }
  }

  it('converges through injected conflicts with at most 2 writes per CR, and its children go with the CR', async () => {
    const informer = makeInformer(c.kc, `/apis/rocketry.io/v1alpha1/namespaces/${ns}/topics`, () =>
      c.custom.listNamespacedCustomObject(ref()),
    );
    const queue: Promise<void>[] = [];
    const enqueue = (obj: { metadata?: { name?: string } }) => queue.push(reconcile(obj.metadata!.name!));
    informer.on('add', enqueue);
    informer.on('update', enqueue);
    await informer.start();

    c.server.faults.injectConflicts(2, { resource: 'topics', subresource: 'status' });
    for (const name of ['a', 'b']) {
      await c.custom.createNamespacedCustomObject({
        ...ref(),
        body: { apiVersion: 'rocketry.io/v1alpha1', kind: 'Topic', metadata: { name }, spec: { queues: 4 } },
      });
    }
    await eventually(async () => {
      const list = await c.custom.listNamespacedCustomObject(ref());
      return (list.items as Topic[]).every((t) => t.status?.observedGeneration === 1) && list.items.length === 2
        ? true
        : undefined;
    });
    await Promise.all(queue);
    expect(c.server.writes({ resource: 'topics', subresource: 'status', includeFailed: true })).toHaveLength(4);
    for (const count of c.server.writeCounts({ resource: 'topics' }).values()) expect(count).toBeLessThanOrEqual(2);

    await c.custom.deleteNamespacedCustomObject({ ...ref(), name: 'a' });
    await eventually(async () => {
      const cms = await c.core.listNamespacedConfigMap({ namespace: ns });
      return cms.items.map((i) => i.metadata?.name).join() === 'topic-b' ? true : undefined;
    });
    await informer.stop();
  });
});
