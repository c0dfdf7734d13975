import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-object.js';
import { BUILTIN_RESOURCE_TYPES, fromCrd } from './resource-types.js';
import { applyScale, toScale } from './scale.js';

const deployments = BUILTIN_RESOURCE_TYPES.find((t) => t.plural === 'deployments')!;
const consumers = fromCrd({
  metadata: { name: 'consumers.example.com' },
  spec: {
    group: 'example.com',
    names: { plural: 'consumers', kind: 'Consumer' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: {
          scale: {
            specReplicasPath: '.spec.size',
            statusReplicasPath: '.status.size',
            labelSelectorPath: '.status.selector',
          },
        },
      },
    ],
  },
});
const meta = { name: 'd', namespace: 'ns', uid: 'u', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' };

describe('toScale', () => {
  it('reads a workload replica count and renders its LabelSelector as a string', () => {
    const d: KubeObject = {
      metadata: meta,
      spec: { replicas: 3, selector: { matchLabels: { app: 'd' } } },
      status: { replicas: 2 },
    };
    expect(toScale(deployments, d)).toEqual({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: meta,
      spec: { replicas: 3 },
      status: { replicas: 2, selector: 'app=d' },
    });
  });

  it('reads the paths a CRD declares and reports 0 replicas before status exists', () => {
    expect(toScale(consumers, { metadata: meta, spec: { size: 5 } })).toMatchObject({
      spec: { replicas: 5 },
      status: { replicas: 0 },
    });
    expect(
      toScale(consumers, { metadata: meta, spec: { size: 5 }, status: { size: 4, selector: 'a=b' } }).status,
    ).toEqual({
      replicas: 4,
      selector: 'a=b',
    });
  });
});

describe('applyScale', () => {
  it('writes spec replicas at the declared path and carries the Scale resourceVersion as the precondition', () => {
    const out = applyScale(
      consumers,
      { metadata: meta, spec: { size: 1 } },
      { metadata: { resourceVersion: '6' }, spec: { replicas: 9 } },
    );
    expect(out.spec).toEqual({ size: 9 });
    expect(out.metadata.resourceVersion).toBe('6');
    expect(
      applyScale(consumers, { metadata: meta, spec: {} }, { spec: { replicas: 2 } }).metadata.resourceVersion,
    ).toBeUndefined();
  });

  it('refuses negative or fractional replica counts', () => {
    expect(() => applyScale(deployments, { metadata: meta, spec: {} }, { spec: { replicas: -1 } })).toThrow();
    expect(() => applyScale(deployments, { metadata: meta, spec: {} }, { spec: { replicas: 1.5 } })).toThrow();
  });
});
