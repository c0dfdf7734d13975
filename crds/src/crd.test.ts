import { describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, VERSION } from './common.js';
import { KINDS } from './crds.js';
import type { JSONSchemaProps } from './openapi.js';
import { structuralProblems } from './structural.js';
import { committedCrds } from './testing/committed.js';
import { readPath, resolveInSchema } from './testing/json-path.js';

const crds = committedCrds();

describe('the CustomResourceDefinitions', () => {
  it('are the four kinds, with the short names of the design', () => {
    expect([...crds.keys()].sort()).toEqual(['BrokerCluster', 'ConsumerGroup', 'EventRule', 'Topic']);
    const shortNames = Object.fromEntries([...crds].map(([kind, c]) => [kind, c.crd.spec.names.shortNames]));
    expect(shortNames).toEqual({
      BrokerCluster: ['mqc'],
      Topic: ['mqt'],
      ConsumerGroup: ['mqcg'],
      EventRule: ['mqer'],
    });
  });

  it.each([...crds.keys()])('%s is a namespaced apiextensions.k8s.io/v1 CRD of rocketry.io/v1alpha1', (kind) => {
    const { crd } = crds.get(kind)!;
    const { names } = crd.spec;
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.kind).toBe('CustomResourceDefinition');
    expect(crd.metadata.name).toBe(`${names.plural}.${GROUP}`);
    expect(crd.spec.group).toBe(GROUP);
    expect(API_VERSION).toBe(`${GROUP}/${VERSION}`);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(names.kind).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    expect(names.listKind).toBe(`${names.kind}List`);
    expect(names.singular).toBe(names.kind.toLowerCase());
    expect(names.plural).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(names.categories).toEqual(['rocketry']);
    for (const n of names.shortNames) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(crd.spec.versions).toHaveLength(1);
    const [version] = crd.spec.versions;
    expect(version).toMatchObject({ name: VERSION, served: true, storage: true, subresources: { status: {} } });
  });

  it.each([...crds.keys()])('%s has a structural schema', (kind) => {
    expect(structuralProblems(crds.get(kind)!.schema)).toEqual([]);
  });

  it.each([...crds.keys()])('%s has a printer column path that exists in the schema for every column', (kind) => {
    const { crd, schema } = crds.get(kind)!;
    const columns = crd.spec.versions[0]!.additionalPrinterColumns;
    expect(columns.map((c) => c.name)).toEqual(expect.arrayContaining(['Ready', 'Reason', 'Age']));
    for (const column of columns) {
      const node = resolveInSchema(schema, column.jsonPath);
      expect(node, `${kind} column ${column.name}: ${column.jsonPath}`).toBeDefined();
      const expected = { string: 'string', integer: 'integer', number: 'number', boolean: 'boolean', date: 'string' };
      expect(node?.type, `${kind} column ${column.name}`).toBe(expected[column.type]);
    }
  });

  it('scales BrokerCluster by broker groups through integer paths of its schema', () => {
    const { crd, schema } = crds.get('BrokerCluster')!;
    const scale = crd.spec.versions[0]!.subresources.scale!;
    expect(scale).toEqual({ specReplicasPath: '.spec.brokers.groups', statusReplicasPath: '.status.readyGroups' });
    expect(resolveInSchema(schema, scale.specReplicasPath)?.type).toBe('integer');
    expect(resolveInSchema(schema, scale.statusReplicasPath)?.type).toBe('integer');
    for (const kind of ['Topic', 'ConsumerGroup', 'EventRule']) {
      expect(crds.get(kind)!.crd.spec.versions[0]!.subresources.scale).toBeUndefined();
    }
  });

  it('prints a Topic row from its spec and Ready condition', () => {
    const { crd } = crds.get('Topic')!;
    const topic = {
      metadata: { name: 'orders', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { clusterRef: { name: 'prod' }, messageType: 'FIFO', queues: 16 },
      status: {
        topicName: 'orders',
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'Done',
            message: '',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
          {
            type: 'Ready',
            status: 'True',
            reason: 'Reconciled',
            message: '',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    };
    const row = crd.spec.versions[0]!.additionalPrinterColumns.map((c) => readPath(topic, c.jsonPath));
    expect(row).toEqual(['prod', 'orders', 'FIFO', 16, 'True', 'Reconciled', '2026-01-01T00:00:00Z']);
  });

  it('has a description on every spec and status field', () => {
    const missing: string[] = [];
    const visit = (node: JSONSchemaProps, path: string) => {
      if (path && !/\[\]$|\[\*\]$/.test(path) && !node.description) missing.push(path);
      for (const [k, child] of Object.entries(node.properties ?? {})) visit(child, `${path}.${k}`);
      if (node.items?.properties)
        for (const [k, child] of Object.entries(node.items.properties)) visit(child, `${path}[].${k}`);
    };
    for (const [kind, { schema }] of crds) {
      visit(schema.properties!.spec!, `${kind}.spec`);
    }
    expect(missing).toEqual([]);
  });

  it('derives every CRD from a kind definition', () => {
    expect(Object.keys(KINDS).sort()).toEqual([...crds.keys()].sort());
  });
});

describe('structuralProblems', () => {
  const root = (spec: JSONSchemaProps): JSONSchemaProps => ({ type: 'object', properties: { spec } });

  it('accepts int-or-string and preserve-unknown-fields nodes without a type', () => {
    const spec: JSONSchemaProps = {
      type: 'object',
      properties: {
        size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        any: { 'x-kubernetes-preserve-unknown-fields': true },
      },
    };
    expect(structuralProblems(root(spec))).toEqual([]);
  });

  it.each<[string, JSONSchemaProps, RegExp]>([
    ['a node without type', { type: 'object', properties: { a: {} } }, /\.spec\.a: type is required/],
    [
      'properties beside additionalProperties',
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
      /exclude each other/,
    ],
    ['a boolean additionalProperties', { type: 'object', additionalProperties: false } as never, /not a boolean/],
    ['uniqueItems', { type: 'array', items: { type: 'string' }, uniqueItems: true } as never, /uniqueItems/],
    ['an array without items', { type: 'array' }, /needs items/],
    ['patternProperties', { type: 'object', patternProperties: {} } as never, /patternProperties is not allowed/],
    ['const', { type: 'string', const: 'a' } as never, /const is not allowed/],
    [
      'a type inside anyOf',
      { type: 'string', anyOf: [{ type: 'string', pattern: 'a' }] },
      /type is not allowed inside/,
    ],
    ['a default of the wrong type', { type: 'integer', default: 'x' }, /default must be of type integer/],
    [
      'a default with an unknown field',
      { type: 'object', properties: { a: { type: 'string' } }, default: { b: 'x' } },
      /default \.b is not a field/,
    ],
    [
      'a list-type map keyed by an optional field',
      {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', properties: { name: { type: 'string' } } },
      },
      /must be required or defaulted/,
    ],
    [
      'a transition rule under an atomic list',
      {
        type: 'array',
        items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'm' }] },
      },
      /cannot correlate/,
    ],
    [
      'a rule fieldPath that names no field',
      { type: 'object', 'x-kubernetes-validations': [{ rule: 'true', message: 'm', fieldPath: '.nope' }] },
      /fieldPath \.nope/,
    ],
    ['a rule without message', { type: 'string', 'x-kubernetes-validations': [{ rule: 'true' }] }, /has no message/],
  ])('rejects %s', (_name, spec, problem) => {
    expect(structuralProblems(root(spec)).join('\n')).toMatch(problem);
  });

  it('rejects metadata restrictions beyond name and generateName', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } },
    };
    expect(structuralProblems(schema).join('\n')).toMatch(/only name and generateName/);
  });
});
