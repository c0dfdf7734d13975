import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { KINDS, type KindName } from './crds.js';
import type { JSONSchemaProps } from './openapi.js';
import { applyDefaults, schemaValueProblems } from './schema-value.js';
import { committedCrds } from './testing/committed.js';

const crds = committedCrds();

const minimal: Record<KindName, Record<string, unknown>> = {
  BrokerCluster: { metadata: { name: 'prod' }, spec: {} },
  Topic: { metadata: { name: 'orders' }, spec: { clusterRef: { name: 'prod' } } },
  ConsumerGroup: {
    metadata: { name: 'workers' },
    spec: { clusterRef: { name: 'prod' }, autoscaling: { targetRef: { name: 'w' }, maxReplicas: 4 } },
  },
  EventRule: {
    metadata: { name: 'r' },
    spec: {
      clusterRef: { name: 'prod' },
      source: { topic: 'orders' },
      targets: [{ name: 'a', http: { url: 'https://a.example', authSecretRef: { name: 's' } } }],
    },
  },
};

function defaultsOf(node: JSONSchemaProps, path: string, found: [string, JSONSchemaProps][]): void {
  if (node.default !== undefined) found.push([path, node]);
  for (const [k, child] of Object.entries(node.properties ?? {})) defaultsOf(child, `${path}.${k}`, found);
  if (node.items) defaultsOf(node.items, `${path}[]`, found);
  if (node.additionalProperties) defaultsOf(node.additionalProperties, `${path}[*]`, found);
}

describe('CRD defaults', () => {
  it.each([...crds.keys()])('%s: every default is valid against its own schema and names only its fields', (kind) => {
    const found: [string, JSONSchemaProps][] = [];
    defaultsOf(crds.get(kind)!.schema, '', found);
    expect(found.length).toBeGreaterThan(0);
    for (const [path, node] of found) {
      const applied = applyDefaults(node, node.default);
      expect(schemaValueProblems(node, applied, { unknownFields: 'report' }), path).toEqual([]);
    }
  });

  it.each(Object.keys(minimal) as KindName[])('%s: the API server and TypeBox fill in the same defaults', (kind) => {
    const object = minimal[kind];
    const byApiServer = applyDefaults(crds.get(kind)!.schema, object);
    const byTypeBox = Value.Default(KINDS[kind].schema, structuredClone(object));
    expect(byApiServer).toEqual(byTypeBox);
    expect(schemaValueProblems(crds.get(kind)!.schema, byApiServer, { unknownFields: 'report' })).toEqual([]);
  });

  it('gives a minimal cluster one name server and one broker group of 10Gi, async flush, 72 h retention', () => {
    const { spec } = applyDefaults(crds.get('BrokerCluster')!.schema, minimal.BrokerCluster) as { spec: unknown };
    expect(spec).toEqual({
      mode: 'Managed',
      nameServer: { replicas: 1 },
      brokers: {
        groups: 1,
        replicasPerGroup: 1,
        storage: { size: '10Gi' },
        config: {
          flush: 'async',
          retentionHours: 72,
          segmentMiB: 1024,
          maxDelayHours: 720,
          autoCreate: false,
          logLevel: 'info',
        },
      },
    });
  });

  it("gives a minimal consumer group RocketMQ's retry defaults and the autoscaler's", () => {
    const { spec } = applyDefaults(crds.get('ConsumerGroup')!.schema, minimal.ConsumerGroup) as { spec: unknown };
    expect(spec).toEqual({
      clusterRef: { name: 'prod' },
      fifo: false,
      maxDeliveryAttempts: 17,
      retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
      deletionPolicy: 'Delete',
      autoscaling: {
        mode: 'Builtin',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' },
        minReplicas: 1,
        maxReplicas: 4,
        lagPerReplica: 1000,
        cooldownSeconds: 300,
        pollingSeconds: 15,
      },
    });
  });
});
