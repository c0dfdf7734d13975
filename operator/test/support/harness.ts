import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { type BrokerCluster, CRDS } from '@rocketry/crds';
import { KubeServer } from '@rocketry/testkit';
import { type Logger, pino } from 'pino';
import { type OperatorOptions, runOperator } from '../../src/runtime/index.js';
import { KubeClient } from '../../src/runtime/kube-client.js';
import type { OperatorHandle } from '../../src/runtime/operator.js';
import { BROKER_CLUSTERS, type ResourceType } from '../../src/runtime/resources.js';
import { FakeBrokers } from './fake-broker-admin.js';
import { MockStatefulSetController } from './mock-statefulset-controller.js';

const CRD_TYPE: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
};
export const NAMESPACES: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};

/** `ROCKETRY_TEST_LOG=debug npx vitest run operator` shows the operator's logs (tests read no other env). */
export const testLogger = (): Logger => pino({ level: process.env.ROCKETRY_TEST_LOG ?? 'silent' });

export interface Harness {
  readonly kube: KubeServer;
  readonly client: KubeClient;
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly brokers: FakeBrokers;
  readonly statefulSets: MockStatefulSetController;
  startOperator(overrides?: Partial<OperatorOptions>): Promise<OperatorHandle>;
  stop(): Promise<void>;
}

/** Fast timings for tests; leader election off unless a test turns it on. */
export const FAST: Partial<OperatorOptions> = {
  http: { host: '127.0.0.1', port: 0 },
  leaderElection: false,
  resyncMs: 60_000,
  retryBackoff: { initialMs: 50, maxMs: 1_000 },
  watchBackoff: { initialMs: 50, maxMs: 500 },
  image: 'rocketry:test',
  handleSignals: false,
  brokerCluster: { pollMs: 100, drainPollMs: 100, rollReadyTimeoutMs: 60_000, externalPollMs: 100 },
};

export async function startHarness(): Promise<Harness> {
  const kube = await KubeServer.start();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions(kube.kubeConfigOptions());
  const client = new KubeClient(kubeConfig);
  for (const crd of CRDS) await client.create(CRD_TYPE, crd as never);
  const namespace = `test-${randomBytes(3).toString('hex')}`;
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const brokers = new FakeBrokers();
  const statefulSets = new MockStatefulSetController(client, namespace).start();
  const operators: OperatorHandle[] = [];
  return {
    kube,
    client,
    kubeConfig,
    namespace,
    brokers,
    statefulSets,
    async startOperator(overrides = {}) {
      const handle = await runOperator({
        ...FAST,
        kubeConfig,
        logger: testLogger(),
        brokerAdmin: brokers.factory,
        ...overrides,
      });
      operators.push(handle);
      return handle;
    },
    async stop() {
      statefulSets.stop();
      await Promise.all(operators.map((o) => o.stop()));
      await kube.stop();
    },
  };
}

export function brokerCluster(namespace: string, name: string, spec: Record<string, unknown> = {}): BrokerCluster {
  return {
    apiVersion: 'rocketry.io/v1alpha1',
    kind: 'BrokerCluster',
    metadata: { name, namespace },
    spec: spec as BrokerCluster['spec'],
  };
}

export const getCluster = (h: Harness, name: string) => h.client.get<BrokerCluster>(BROKER_CLUSTERS, h.namespace, name);

export const condition = (cr: BrokerCluster | undefined, type: string) =>
  cr?.status?.conditions?.find((c) => c.type === type);

/** Polls `read` until `done` holds (test-side waiting only; the operator never sleeps). */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const started = Date.now();
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${what} not met in ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
    last = await read();
  }
  return last;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
