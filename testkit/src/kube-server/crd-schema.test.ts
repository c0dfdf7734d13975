import { describe, expect, it } from 'vitest';
import { pruneAndDefault, type StructuralSchema } from './crd-schema.js';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        queues: { type: 'integer', default: 8 },
        mode: { type: 'string', nullable: true },
        retention: { type: 'object', default: {}, properties: { hours: { type: 'integer', default: 72 } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        groups: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' }, weight: { type: 'integer', default: 1 } } },
        },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
  },
};

describe('pruneAndDefault', () => {
  it('drops undeclared fields and keeps apiVersion, kind and standard metadata', () => {
    const out = pruneAndDefault(
      {
        apiVersion: 'rocketry.io/v1alpha1',
        kind: 'Topic',
        metadata: { name: 't', labels: { a: 'b' }, bogus: 1 },
        spec: { queues: 4, typo: true, retention: { hours: 1 } },
        status: { ready: true, extra: 1 },
        top: 1,
      },
      schema,
    );
    expect(out).toEqual({
      apiVersion: 'rocketry.io/v1alpha1',
      kind: 'Topic',
      metadata: { name: 't', labels: { a: 'b' } },
      spec: { queues: 4, retention: { hours: 1 } },
      status: { ready: true },
    });
  });

  it('reports the paths it prunes', () => {
    const dropped: string[] = [];
    pruneAndDefault(
      { metadata: { name: 't', bogus: 1 }, spec: { typo: 1, groups: [{ name: 'a', x: 1 }] }, top: 1 },
      schema,
      dropped,
    );
    expect(dropped).toEqual(['metadata.bogus', 'spec.typo', 'spec.groups[0].x', 'top']);
  });

  it('applies defaults to absent fields, inside defaulted objects and in array items', () => {
    const out = pruneAndDefault(
      { metadata: { name: 't' }, spec: { groups: [{ name: 'a' }, { name: 'b', weight: 3 }] } },
      schema,
    );
    expect(out.spec).toEqual({
      queues: 8,
      retention: { hours: 72 },
      groups: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 3 },
      ],
    });
  });

  it('defaults a null field that has a default, keeps nullable nulls and drops other nulls', () => {
    const out = pruneAndDefault({ metadata: {}, spec: { queues: null, mode: null, labels: null } }, schema);
    expect(out.spec).toMatchObject({ queues: 8, mode: null });
    expect(out.spec).not.toHaveProperty('labels');
  });

  it('keeps map values and unknown fields under x-kubernetes-preserve-unknown-fields', () => {
    const out = pruneAndDefault({ metadata: {}, spec: { labels: { x: 'y' }, config: { any: { thing: 1 } } } }, schema);
    expect(out.spec).toMatchObject({ labels: { x: 'y' }, config: { any: { thing: 1 } } });
  });
});
