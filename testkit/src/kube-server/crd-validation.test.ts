import { describe, expect, it } from 'vitest';
import { type ValidationSchema, validateAgainstSchema } from './crd-validation.js';

const schema: ValidationSchema = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      required: ['queues'],
      properties: {
        queues: { type: 'integer', minimum: 1, maximum: 1024 },
        messageType: { type: 'string', enum: ['Normal', 'FIFO', 'Delay', 'Transaction'] },
        name: { type: 'string', maxLength: 8, pattern: '^[a-z]+$' },
        port: { 'x-kubernetes-int-or-string': true },
        groups: { type: 'array', maxItems: 2, uniqueItems: true, items: { type: 'string' } },
        ratio: { type: 'number', nullable: true },
        choice: { type: 'object', oneOf: [{ required: ['a'] }, { required: ['b'] }] },
      },
    },
  },
};

const fields = (obj: Record<string, unknown>) => validateAgainstSchema(obj, schema).map((c) => c.field);

describe('validateAgainstSchema', () => {
  it('accepts a valid object and ignores metadata, apiVersion and kind', () => {
    const ok = {
      apiVersion: 'x/v1',
      kind: 'T',
      metadata: { name: 'n' },
      spec: { queues: 4, messageType: 'FIFO', port: 'grpc', ratio: null },
    };
    expect(validateAgainstSchema(ok, schema)).toEqual([]);
  });

  it('reports wrong types, missing required fields and enum misses by field path', () => {
    expect(fields({ spec: { queues: '4' } })).toEqual(['spec.queues']);
    expect(fields({ spec: {} })).toEqual(['spec.queues']);
    expect(fields({})).toEqual(['spec']);
    expect(fields({ spec: { queues: 1, messageType: 'Other' } })).toEqual(['spec.messageType']);
    expect(validateAgainstSchema({ spec: { queues: 1.5 } }, schema)[0]?.message).toContain('must be of type integer');
  });

  it('checks bounds, lengths, patterns, item counts and uniqueness', () => {
    expect(fields({ spec: { queues: 0 } })).toEqual(['spec.queues']);
    expect(fields({ spec: { queues: 2000 } })).toEqual(['spec.queues']);
    expect(fields({ spec: { queues: 1, name: 'toolongname' } })).toEqual(['spec.name']);
    expect(fields({ spec: { queues: 1, name: 'Upper' } })).toEqual(['spec.name']);
    expect(fields({ spec: { queues: 1, groups: ['a', 'a'] } })).toEqual(['spec.groups']);
    expect(fields({ spec: { queues: 1, groups: ['a', 'b', 'c'] } })).toEqual(['spec.groups']);
    expect(fields({ spec: { queues: 1, groups: [1] } })).toEqual(['spec.groups[0]']);
  });

  it('accepts int-or-string values and evaluates oneOf', () => {
    expect(fields({ spec: { queues: 1, port: 8080 } })).toEqual([]);
    expect(fields({ spec: { queues: 1, port: 1.5 } })).toEqual(['spec.port']);
    expect(fields({ spec: { queues: 1, choice: { a: 1 } } })).toEqual([]);
    expect(fields({ spec: { queues: 1, choice: { a: 1, b: 2 } } })).toEqual(['spec.choice']);
  });
});
