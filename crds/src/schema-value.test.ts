import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from './openapi.js';
import { applyDefaults, schemaValueProblems } from './schema-value.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    queues: { type: 'integer', minimum: 1, maximum: 1024, default: 8 },
    type: { type: 'string', enum: ['NORMAL', 'FIFO'], default: 'NORMAL' },
    name: { type: 'string', maxLength: 5, pattern: '^[a-z]+$' },
    size: {
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: '^[0-9]+Gi$',
    },
    retry: {
      type: 'object',
      default: {},
      properties: { initialMs: { type: 'integer', multipleOf: 1000, default: 1000 } },
    },
    targets: {
      type: 'array',
      maxItems: 2,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

describe('applyDefaults', () => {
  it('fills absent fields, then the defaults inside a defaulted object', () => {
    expect(applyDefaults(schema, {})).toEqual({ queues: 8, type: 'NORMAL', retry: { initialMs: 1000 } });
  });

  it('leaves present fields alone', () => {
    expect(applyDefaults(schema, { queues: 2, retry: { initialMs: 5000 } })).toEqual({
      queues: 2,
      type: 'NORMAL',
      retry: { initialMs: 5000 },
    });
  });
});

describe('schemaValueProblems', () => {
  it('accepts a valid value', () => {
    const value = { queues: 4, type: 'FIFO', name: 'abc', size: '10Gi', targets: [{ name: 'a' }], labels: { a: 'b' } };
    expect(schemaValueProblems(schema, value)).toEqual([]);
    expect(schemaValueProblems(schema, { ...value, size: 10 })).toEqual([]);
  });

  it('reports each broken keyword at its path', () => {
    const problems = schemaValueProblems(schema, {
      queues: 0,
      type: 'MIXED',
      name: 'ABCDEF',
      size: '10G',
      retry: { initialMs: 1500 },
      targets: [{ name: 'a' }, { name: 'a' }, {}],
      labels: { a: 1 },
    });
    expect(problems).toEqual([
      { path: '.queues', message: 'must be at least 1' },
      { path: '.type', message: 'must be one of NORMAL, FIFO' },
      { path: '.name', message: 'must have at most 5 characters' },
      { path: '.name', message: 'must match ^[a-z]+$' },
      { path: '.size', message: 'must match ^[0-9]+Gi$' },
      { path: '.retry.initialMs', message: 'must be a multiple of 1000' },
      { path: '.targets', message: 'must have at most 2 items' },
      { path: '.targets', message: 'must not repeat name (list-type map)' },
      { path: '.targets[2].name', message: 'is required' },
      { path: '.labels.a', message: 'must be of type string' },
    ]);
  });

  it('ignores unknown fields as the API server prunes them, or reports them on request', () => {
    expect(schemaValueProblems(schema, { extra: 1 })).toEqual([]);
    expect(schemaValueProblems(schema, { extra: 1 }, { unknownFields: 'report' })).toEqual([
      { path: '.extra', message: 'is not a field of the schema' },
    ]);
  });
});
