import { describe, expect, it } from 'vitest';
import type { KindName } from './crds.js';
import type { JSONSchemaProps } from './openapi.js';
import { applyDefaults, schemaValueProblems } from './schema-value.js';
import { evaluateRules } from './testing/cel.js';
import { committedCrds } from './testing/committed.js';
import { validateSpec } from './validate-spec.js';

/**
 * Every x-kubernetes-validations rule, read verbatim from the committed CRD YAML, evaluated with @bufbuild/cel over
 * whole objects as the API server would (defaults first, transition rules only on updates). Each case lists the
 * messages of the rules that must fail; validateSpec must report the same. The last test requires every rule to have
 * been seen both passing and failing.
 */
const crds = committedCrds();

interface Case {
  readonly name: string;
  readonly kind: KindName;
  readonly object: Record<string, unknown>;
  readonly old?: Record<string, unknown>;
  readonly violations: readonly string[];
}

const meta = (name: string) => ({ name, namespace: 'team-a' });
const obj = (kind: KindName, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'rocketry.io/v1alpha1',
  kind,
  metadata: meta(name),
  spec,
});
const topic = (spec: Record<string, unknown> = {}, name = 'orders') =>
  obj('Topic', name, { clusterRef: { name: 'prod' }, ...spec });
const group = (spec: Record<string, unknown> = {}, name = 'order-workers') =>
  obj('ConsumerGroup', name, { clusterRef: { name: 'prod' }, ...spec });
const cluster = (spec: Record<string, unknown> = {}) => obj('BrokerCluster', 'prod', spec);
const storage = (s: Record<string, unknown>) => cluster({ brokers: { storage: s } });
const external = { brokers: [{ name: 'broker-a', adminUrl: 'http://broker-a.example:8082' }] };
const rule = (spec: Record<string, unknown> = {}) =>
  obj('EventRule', 'big-orders', {
    clusterRef: { name: 'prod' },
    source: { topic: 'orders' },
    targets: [{ name: 'billing', topic: { name: 'billing-events' } }],
    ...spec,
  });
const autoscaling = (a: Record<string, unknown>) => group({ autoscaling: { targetRef: { name: 'workers' }, ...a } });

const MSG = {
  clusterRef: 'clusterRef is immutable',
  messageType: 'messageType is immutable',
  queues: 'queues cannot be decreased',
  topicReserved: 'topicName must not start with a reserved prefix (__sys_, rmq_sys_)',
  topicFromName: 'metadata.name is not a valid topic name (no dots, at most 127 characters): set spec.topicName',
  topicName: 'the topic name (spec.topicName, else metadata.name) is immutable',
  fifo: 'fifo is immutable (consumers pick orderly or concurrent consumption once)',
  retry: 'retryPolicy.maxMs must not be below retryPolicy.initialMs',
  replicas: 'autoscaling.minReplicas must not exceed autoscaling.maxReplicas',
  groupReserved: 'groupName must not start with a reserved prefix (__sys_, rmq_sys_, CID_RMQ_SYS_)',
  groupFromName: 'metadata.name is not a valid group name (no dots): set spec.groupName',
  groupName: 'the group name (spec.groupName, else metadata.name) is immutable',
  external: 'spec.external is required when mode is External and not allowed otherwise',
  mode: 'mode is immutable',
  storageClass: 'storage.storageClassName is immutable',
  storageSize: 'storage.size cannot be decreased',
  target: 'a target needs exactly one of topic or http',
  transform: 'transform.jsonPath is required for type JsonPath and transform.template for type Template, and only then',
} as const;

const cases: Case[] = [
  // Topic
  { name: 'a minimal topic', kind: 'Topic', object: topic(), violations: [] },
  {
    name: 'more queues and the topic name in use spelled out',
    kind: 'Topic',
    object: topic({ queues: 16, topicName: 'orders' }),
    old: topic(),
    violations: [],
  },
  { name: 'fewer queues', kind: 'Topic', object: topic({ queues: 4 }), old: topic(), violations: [MSG.queues] },
  {
    name: 'another message type',
    kind: 'Topic',
    object: topic({ messageType: 'FIFO' }),
    old: topic(),
    violations: [MSG.messageType],
  },
  {
    name: 'another cluster',
    kind: 'Topic',
    object: topic({ clusterRef: { name: 'other' } }),
    old: topic(),
    violations: [MSG.clusterRef],
  },
  {
    name: 'a cluster namespace added to clusterRef',
    kind: 'Topic',
    object: topic({ clusterRef: { name: 'prod', namespace: 'mq' } }),
    old: topic(),
    violations: [MSG.clusterRef],
  },
  {
    name: 'a renamed topic',
    kind: 'Topic',
    object: topic({ topicName: 'orders-v2' }),
    old: topic(),
    violations: [MSG.topicName],
  },
  {
    name: 'topicName dropped where it differed from metadata.name',
    kind: 'Topic',
    object: topic(),
    old: topic({ topicName: 'Orders' }),
    violations: [MSG.topicName],
  },
  {
    name: 'a reserved topic name',
    kind: 'Topic',
    object: topic({ topicName: 'rmq_sys_trace' }),
    violations: [MSG.topicReserved],
  },
  {
    name: 'a dotted metadata.name alone',
    kind: 'Topic',
    object: topic({}, 'orders.v1'),
    violations: [MSG.topicFromName],
  },
  {
    name: 'a dotted metadata.name with a topicName',
    kind: 'Topic',
    object: topic({ topicName: 'orders_v1' }, 'orders.v1'),
    violations: [],
  },
  {
    name: 'a 128-character metadata.name alone',
    kind: 'Topic',
    object: topic({}, 'a'.repeat(128)),
    violations: [MSG.topicFromName],
  },

  // ConsumerGroup
  { name: 'a minimal group', kind: 'ConsumerGroup', object: group(), violations: [] },
  {
    name: 'new retry and delivery settings',
    kind: 'ConsumerGroup',
    object: group({ maxDeliveryAttempts: 5, retryPolicy: { initialMs: 2000, maxMs: 2000, multiplier: 1.5 } }),
    old: group(),
    violations: [],
  },
  {
    name: 'fifo switched on',
    kind: 'ConsumerGroup',
    object: group({ fifo: true }),
    old: group(),
    violations: [MSG.fifo],
  },
  {
    name: 'a backoff maximum below its start',
    kind: 'ConsumerGroup',
    object: group({ retryPolicy: { initialMs: 60_000, maxMs: 10_000 } }),
    violations: [MSG.retry],
  },
  {
    name: 'a backoff start above the default maximum',
    kind: 'ConsumerGroup',
    object: group({ retryPolicy: { initialMs: 20_000 } }),
    violations: [MSG.retry],
  },
  {
    name: 'autoscaling within bounds',
    kind: 'ConsumerGroup',
    object: autoscaling({ maxReplicas: 10 }),
    violations: [],
  },
  {
    name: 'autoscaling from zero to one with KEDA',
    kind: 'ConsumerGroup',
    object: autoscaling({ mode: 'Keda', minReplicas: 0, maxReplicas: 1 }),
    violations: [],
  },
  {
    name: 'autoscaling with min above max',
    kind: 'ConsumerGroup',
    object: autoscaling({ minReplicas: 5, maxReplicas: 2 }),
    violations: [MSG.replicas],
  },
  {
    name: 'a reserved group name',
    kind: 'ConsumerGroup',
    object: group({ groupName: 'CID_RMQ_SYS_x' }),
    violations: [MSG.groupReserved],
  },
  {
    name: 'a dotted metadata.name alone',
    kind: 'ConsumerGroup',
    object: group({}, 'a.b'),
    violations: [MSG.groupFromName],
  },
  {
    name: 'a renamed group',
    kind: 'ConsumerGroup',
    object: group({ groupName: 'GID_orders' }),
    old: group(),
    violations: [MSG.groupName],
  },
  {
    name: 'a group moved to another cluster',
    kind: 'ConsumerGroup',
    object: group({ clusterRef: { name: 'other' } }),
    old: group(),
    violations: [MSG.clusterRef],
  },

  // BrokerCluster
  { name: 'a minimal managed cluster', kind: 'BrokerCluster', object: cluster(), violations: [] },
  {
    name: 'an external cluster',
    kind: 'BrokerCluster',
    object: cluster({ mode: 'External', external }),
    violations: [],
  },
  {
    name: 'External mode without brokers',
    kind: 'BrokerCluster',
    object: cluster({ mode: 'External' }),
    violations: [MSG.external],
  },
  {
    name: 'external brokers in Managed mode',
    kind: 'BrokerCluster',
    object: cluster({ external }),
    violations: [MSG.external],
  },
  {
    name: 'a managed cluster turned external',
    kind: 'BrokerCluster',
    object: cluster({ mode: 'External', external }),
    old: cluster(),
    violations: [MSG.mode],
  },
  {
    name: 'more groups, name servers and storage',
    kind: 'BrokerCluster',
    object: cluster({ nameServer: { replicas: 3 }, brokers: { groups: 4, storage: { size: '1Ti' } } }),
    old: cluster(),
    violations: [],
  },
  {
    name: 'fewer broker groups (drained, not refused)',
    kind: 'BrokerCluster',
    object: cluster({ brokers: { groups: 2 } }),
    old: cluster({ brokers: { groups: 3 } }),
    violations: [],
  },
  {
    name: 'storage grown across units (1000Mi to 1Gi)',
    kind: 'BrokerCluster',
    object: storage({ size: '1Gi' }),
    old: storage({ size: '1000Mi' }),
    violations: [],
  },
  {
    name: 'storage respelled at the same size (1.5Gi to 1536Mi)',
    kind: 'BrokerCluster',
    object: storage({ size: '1536Mi' }),
    old: storage({ size: '1.5Gi' }),
    violations: [],
  },
  {
    name: 'storage shrunk (1Gi to 1000Mi)',
    kind: 'BrokerCluster',
    object: storage({ size: '1000Mi' }),
    old: storage({ size: '1Gi' }),
    violations: [MSG.storageSize],
  },
  {
    name: 'storage shrunk below the default',
    kind: 'BrokerCluster',
    object: storage({ size: '5G' }),
    old: storage({}),
    violations: [MSG.storageSize],
  },
  {
    name: 'a storage class added',
    kind: 'BrokerCluster',
    object: storage({ storageClassName: 'fast' }),
    old: storage({}),
    violations: [MSG.storageClass],
  },
  {
    name: 'a storage class changed',
    kind: 'BrokerCluster',
    object: storage({ storageClassName: 'slow' }),
    old: storage({ storageClassName: 'fast' }),
    violations: [MSG.storageClass],
  },
  {
    name: 'the same storage class',
    kind: 'BrokerCluster',
    object: storage({ storageClassName: 'fast', size: '20Gi' }),
    old: storage({ storageClassName: 'fast' }),
    violations: [],
  },

  // EventRule
  { name: 'a rule to a topic', kind: 'EventRule', object: rule(), violations: [] },
  {
    name: 'a rule with a pattern, a JSONPath transform and a webhook',
    kind: 'EventRule',
    object: rule({
      pattern: { type: [{ prefix: 'order.' }], data: { amount: [{ numeric: ['>', 100] }] } },
      transform: { type: 'JsonPath', jsonPath: '$.data' },
      targets: [{ name: 'audit', http: { url: 'https://audit.example/events', authSecretRef: { name: 'audit' } } }],
    }),
    violations: [],
  },
  {
    name: 'a target with both a topic and a webhook',
    kind: 'EventRule',
    object: rule({ targets: [{ name: 'x', topic: { name: 't' }, http: { url: 'http://x.example' } }] }),
    violations: [MSG.target],
  },
  {
    name: 'a target with neither',
    kind: 'EventRule',
    object: rule({ targets: [{ name: 'x' }] }),
    violations: [MSG.target],
  },
  {
    name: 'a JsonPath transform without a path',
    kind: 'EventRule',
    object: rule({ transform: { type: 'JsonPath' } }),
    violations: [MSG.transform],
  },
  {
    name: 'a template on a None transform',
    kind: 'EventRule',
    object: rule({ transform: { template: '{{ $.data }}' } }),
    violations: [MSG.transform],
  },
  {
    name: 'a Template transform with its template',
    kind: 'EventRule',
    object: rule({ transform: { type: 'Template', template: 'order {{ $.data.id }}' } }),
    violations: [],
  },
  {
    name: 'a rule disabled',
    kind: 'EventRule',
    object: rule({ state: 'Disabled' }),
    old: rule(),
    violations: [],
  },
  {
    name: 'a rule moved to another cluster',
    kind: 'EventRule',
    object: rule({ clusterRef: { name: 'other' } }),
    old: rule(),
    violations: [MSG.clusterRef],
  },
];

/** `kind|path|rule` → outcomes seen. */
const seen = new Map<string, { passed: boolean; failed: boolean }>();

describe('CEL rules from the committed CRD YAML', () => {
  it.each(cases)('$kind: $name', ({ kind, object, old, violations }) => {
    const { schema } = crds.get(kind)!;
    const current = applyDefaults(schema, object);
    const previous = old === undefined ? undefined : applyDefaults(schema, old);
    expect(schemaValueProblems(schema, current), 'fixtures must pass the OpenAPI schema').toEqual([]);
    const outcomes = evaluateRules(schema, current, previous);
    for (const o of outcomes) {
      const key = `${kind}|${o.path.replace(/\[\d+\]/g, '[*]')}|${o.rule}`;
      const entry = seen.get(key) ?? { passed: false, failed: false };
      if (o.passed) entry.passed = true;
      else entry.failed = true;
      seen.set(key, entry);
    }
    const failed = outcomes.filter((o) => !o.passed).map((o) => o.message);
    expect(failed.sort()).toEqual([...violations].sort());

    const result = validateSpec(kind, object, old);
    const reported = result.valid ? [] : result.problems.map((p) => p.message);
    expect(reported.sort(), 'validateSpec agrees with CEL').toEqual([...violations].sort());
  });

  it('saw every rule of every CRD both pass and fail', () => {
    const all: string[] = [];
    for (const [kind, { schema }] of crds) collectRules(schema, '', (path, r) => all.push(`${kind}|${path}|${r}`));
    const untested = all.filter((key) => !seen.get(key)?.passed || !seen.get(key)?.failed);
    expect(untested).toEqual([]);
  });
});

function collectRules(node: JSONSchemaProps, path: string, found: (path: string, rule: string) => void): void {
  for (const r of node['x-kubernetes-validations'] ?? []) found(path, r.rule);
  for (const [k, child] of Object.entries(node.properties ?? {})) collectRules(child, `${path}.${k}`, found);
  if (node.items) collectRules(node.items, `${path}[*]`, found);
}
