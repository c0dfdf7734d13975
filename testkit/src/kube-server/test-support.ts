/** Shared by the kube-server tests: a server per test and client-node clients for it (not part of the build). */
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1Status,
} from '@kubernetes/client-node';
import { KubeServer, type KubeServerOptions } from './kube-server.js';

export interface Clients {
  server: KubeServer;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  coordination: CoordinationV1Api;
  extensions: ApiextensionsV1Api;
}

export async function startWithClients(options: KubeServerOptions = {}): Promise<Clients> {
  const server = await KubeServer.start(options);
  const kc = new KubeConfig();
  kc.loadFromOptions(server.kubeConfigOptions());
  return {
    server,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    coordination: kc.makeApiClient(CoordinationV1Api),
    extensions: kc.makeApiClient(ApiextensionsV1Api),
  };
}

/** The Status a client-node call failed with. */
export async function statusOf(call: Promise<unknown>): Promise<V1Status> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) return JSON.parse(err.body as string) as V1Status;
    throw err;
  }
  throw new Error('expected the call to fail');
}

export const suffix = (): string => Math.random().toString(36).slice(2, 8);

/** Polls until `check` returns a value other than undefined (for background work such as garbage collection). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const topicCrd = (group = 'rocketry.io') => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `topics.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: 'topics', singular: 'topic', kind: 'Topic', listKind: 'TopicList', shortNames: ['tp'] },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        // client-node's model names the field x_kubernetes_preserve_unknown_fields and drops the JSON spelling.
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
              status: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
            },
          },
        },
        subresources: {
          status: {},
          scale: {
            specReplicasPath: '.spec.queues',
            statusReplicasPath: '.status.queues',
            labelSelectorPath: '.status.selector',
          },
        },
      },
    ],
  },
});
