import { randomBytes } from 'node:crypto';
import type { Condition } from '@rocketry/crds';
import { httpBrokerAdmin } from '../../src/broker-admin/http-broker-admin.js';
import type { KubeObject } from '../../src/runtime/kube-object.js';
import type { OperatorHandle } from '../../src/runtime/operator.js';
import { BROKER_CLUSTERS, type ResourceType, SECRETS } from '../../src/runtime/resources.js';
import { operatorReconcilers } from './entity-operator.js';
import { brokerCluster, eventually, type Harness } from './harness.js';
import type { RealBroker } from './real-brokers.js';

/** A custom resource as the tests read it. */
export interface Entity extends KubeObject {
  spec: Record<string, unknown>;
  status?: { observedGeneration?: number; conditions?: Condition[]; [k: string]: unknown };
}

export const suffix = (): string => randomBytes(3).toString('hex');

export const readyOf = (e: Entity | undefined): Condition | undefined =>
  e?.status?.conditions?.find((c) => c.type === 'Ready');

/** Resync every second (drift tests), DeleteIfEmpty rechecks every 200 ms; real HTTP admin clients. */
export function startEntityOperator(h: Harness): Promise<OperatorHandle> {
  const brokerAdmin = httpBrokerAdmin({ timeoutMs: 2_000 });
  return h.startOperator({
    brokerAdmin,
    resyncMs: 1_000,
    reconcilers: operatorReconcilers(
      {
        image: 'rocketry:test',
        brokerAdmin,
        podDisruptionBudgets: true,
        clusterDomain: 'cluster.local',
        pollMs: 100,
        externalPollMs: 200,
      },
      { deletionRecheckMs: 200 },
    ),
  });
}

/**
 * An External-mode BrokerCluster over real brokers: the operator reaches them only through their admin APIs. A
 * broker with a token gets a Secret and a `credentialsSecretRef`.
 */
export async function createExternalCluster(h: Harness, name: string, brokers: readonly RealBroker[]): Promise<void> {
  for (const b of brokers) {
    if (!b.token) continue;
    await h.client.create(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${b.name}-admin`, namespace: h.namespace },
      stringData: { token: b.token },
    } as KubeObject);
  }
  await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, name, externalSpec(brokers)));
}

export function externalSpec(brokers: readonly RealBroker[]): Record<string, unknown> {
  return {
    mode: 'External',
    external: {
      brokers: brokers.map((b) => ({
        name: b.name,
        adminUrl: b.adminUrl,
        ...(b.token && { credentialsSecretRef: { name: `${b.name}-admin`, key: 'token' } }),
      })),
    },
  };
}

export function entity(
  kind: 'Topic' | 'ConsumerGroup' | 'EventRule',
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Entity {
  return {
    apiVersion: 'rocketry.io/v1alpha1',
    kind,
    metadata: { name, namespace },
    spec: { clusterRef: { name: 'prod' }, ...spec },
  };
}

/** Waits until Ready has `reason` for the current generation. */
export function waitForReason(
  h: Harness,
  rt: ResourceType,
  name: string,
  reason: string,
  timeoutMs = 15_000,
): Promise<Entity | undefined> {
  return eventually(
    () => h.client.get<Entity>(rt, h.namespace, name),
    (e) => readyOf(e)?.reason === reason && e?.status?.observedGeneration === e?.metadata?.generation,
    timeoutMs,
    `${name} ${reason}`,
  );
}

export const gone = (h: Harness, rt: ResourceType, name: string, timeoutMs = 15_000) =>
  eventually(
    () => h.client.get<Entity>(rt, h.namespace, name),
    (e) => e === undefined,
    timeoutMs,
    `${name} deleted`,
  );
